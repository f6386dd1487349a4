"""Segment views: accounts and ARR per tier of each scheme."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Account, TierScheme
from cstier.services.accounts import scoped
from cstier.services.frames import read_frame
from cstier.services.tiering.current import read_current_tiers
from cstier.services.tiering.current_arr import current_arr_cents


def tier_summary(session: Session, actor: Actor) -> list[dict]:
    """Return, per active scheme, each tier's account count and current ARR in the visible book.

    The tiers are packed per scheme (services/tiering/current.py), so they are counted
    here against the visible accounts' current ARR rather than grouped in SQL.
    """
    arr_cents, active = current_arr_cents()
    stmt = select(Account.id, arr_cents).outerjoin(active, active.c.account_id == Account.id)
    book = read_frame(session, scoped(stmt, actor), ["account_id", "arr_cents"])
    book["arr_cents"] = book["arr_cents"].fillna(0)
    schemes = session.scalars(select(TierScheme).where(TierScheme.active.is_(True))).all()
    held = read_current_tiers(session, [s.id for s in schemes])
    out = []
    for scheme in sorted(
        schemes, key=lambda s: ({"value": 0, "needs": 1}.get(s.dimension, 2), s.name)
    ):
        visible = held[scheme.id].merge(book, on="account_id")
        per_tier = visible.groupby("tier", observed=True).agg(
            accounts=("account_id", "size"), arr_cents=("arr_cents", "sum")
        )
        tiers = [
            {"tier": str(tier), "accounts": int(row.accounts), "arr_cents": int(row.arr_cents)}
            for tier, row in per_tier.iterrows()
        ]
        tiers.sort(key=lambda t: -t["arr_cents"])
        out.append({"scheme": scheme, "tiers": tiers})
    return out
