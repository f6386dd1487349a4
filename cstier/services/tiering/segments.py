"""Segment views: accounts and ARR per tier of each scheme."""

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Account, TierScheme
from cstier.services.accounts import scoped
from cstier.services.reports import scheme_tiers
from cstier.services.tiering.current_arr import current_arr_cents
from cstier.store.column_reads import read_columns
from cstier.store.tier_blocks import read_current_tiers


def tier_summary(session: Session, actor: Actor) -> list[dict]:
    """Return, per active scheme, each tier's account count and current ARR in the visible book.

    The tiers are packed per scheme (store/tier_blocks.py), so they are counted
    here against the visible accounts' current ARR rather than grouped in SQL.
    """
    arr_cents, active = current_arr_cents()
    stmt = select(Account.id, arr_cents).outerjoin(active, active.c.account_id == Account.id)
    kinds = {"account_id": "int", "arr_cents": "number"}
    book = read_columns(session, scoped(stmt, actor), list(kinds), kinds)
    book["arr_cents"] = book["arr_cents"].fillna(0)
    schemes = session.scalars(select(TierScheme).where(TierScheme.active.is_(True))).all()
    held = read_current_tiers(session, [s.id for s in schemes])
    out = []
    ids, arr = book["account_id"].to_numpy(), book["arr_cents"].to_numpy(float)
    ranked = scheme_tiers(session)
    for scheme in sorted(
        schemes, key=lambda s: ({"value": 0, "needs": 1}.get(s.dimension, 2), s.name)
    ):
        tiers = _per_tier(held[scheme.id], ids, arr)
        order = ranked[scheme.id].tiers if scheme.id in ranked else ()
        tiers.sort(key=lambda t: rank_key(t["tier"], order))
        out.append({"scheme": scheme, "tiers": tiers})
    return out


def rank_key(tier: str, order: tuple[str, ...]) -> tuple[int, str]:
    """Sort a tier by its rank in the scheme (top first); tiers it no longer has go last, by name."""
    return (order.index(tier), "") if tier in order else (len(order), tier)


def scheme_names(session: Session) -> dict[str, str]:
    """Return every scheme's name by its key, for pages that list runs' changes."""
    return dict(session.execute(select(TierScheme.key, TierScheme.name)).all())


def _per_tier(held: pd.DataFrame, ids: np.ndarray, arr: np.ndarray) -> list[dict]:
    """Count and sum ARR per tier over the visible accounts (both frames in account order)."""
    tier_ids = held["account_id"].to_numpy()
    if not len(tier_ids) or not len(ids):
        return []
    at = np.minimum(np.searchsorted(tier_ids, ids), len(tier_ids) - 1)
    found = tier_ids[at] == ids
    codes = held["tier"].cat.codes.to_numpy()[at[found]]
    names = held["tier"].cat.categories
    counts = np.bincount(codes, minlength=len(names))
    sums = np.bincount(codes, weights=arr[found], minlength=len(names))
    return [
        {"tier": str(name), "accounts": int(count), "arr_cents": round(total)}
        for name, count, total in zip(names, counts, sums, strict=True)
        if count
    ]
