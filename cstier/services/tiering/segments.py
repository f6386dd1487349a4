"""Segment views: accounts and ARR per tier of each scheme."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Account, AccountTier, TierScheme
from cstier.services.accounts import scoped
from cstier.services.tiering.current_arr import current_arr_cents


def tier_summary(session: Session, actor: Actor) -> list[dict]:
    """Return, per active scheme, each tier's account count and current ARR in the visible book."""
    arr_cents, active = current_arr_cents()
    stmt = (
        select(
            AccountTier.scheme_id,
            AccountTier.tier,
            func.count(Account.id),
            func.coalesce(func.sum(arr_cents), 0),
        )
        .join(Account, Account.id == AccountTier.account_id)
        .outerjoin(active, active.c.account_id == Account.id)
        .group_by(AccountTier.scheme_id, AccountTier.tier)
    )
    rows = session.execute(scoped(stmt, actor)).all()
    schemes = session.scalars(select(TierScheme).where(TierScheme.active.is_(True))).all()
    out = []
    for scheme in sorted(
        schemes, key=lambda s: ({"value": 0, "needs": 1}.get(s.dimension, 2), s.name)
    ):
        tiers = [
            {"tier": tier, "accounts": count, "arr_cents": int(arr)}
            for scheme_id, tier, count, arr in rows
            if scheme_id == scheme.id
        ]
        tiers.sort(key=lambda t: -t["arr_cents"])
        out.append({"scheme": scheme, "tiers": tiers})
    return out
