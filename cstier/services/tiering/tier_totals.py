"""Accounts and current ARR per tier: counted live, or stored by a run and served while current.

Stored totals are current when no write marked the book's tiers since they were stored
(store/book_marks.py: the triggers of migration 0041 mark every write that can change a
total) and their current ARR is for today (subscriptions start and end by the day).
"""

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.models import Account, TierScheme, TierTotal
from cstier.models.base import utcnow
from cstier.services.accounts import scoped
from cstier.services.tiering.current_arr import current_arr_cents
from cstier.services.unit_of_work import unit_of_work
from cstier.store.book_marks import TIERS, replace_totals, unmarked, writes_are_marked
from cstier.store.column_reads import read_columns
from cstier.store.tier_blocks import read_current_tiers

# {scheme_id: [{"tier", "accounts", "arr_cents"}, …]}
TierCounts = dict[int, list[dict]]


def count_tiers(session: Session, actor: Actor, scheme_ids: list[int]) -> TierCounts:
    """Count each scheme's tiers and sum their current ARR over the accounts the actor sees, now.

    The tiers are packed per scheme (store/tier_blocks.py), so they are counted here against
    the visible accounts' current ARR rather than grouped in SQL.
    """
    arr_cents, active = current_arr_cents()
    stmt = select(Account.id, arr_cents).outerjoin(active, active.c.account_id == Account.id)
    kinds = {"account_id": "int", "arr_cents": "number"}
    book = read_columns(session, scoped(stmt, actor), list(kinds), kinds)
    book["arr_cents"] = book["arr_cents"].fillna(0)
    ids, arr = book["account_id"].to_numpy(), book["arr_cents"].to_numpy(float)
    held = read_current_tiers(session, scheme_ids)
    return {scheme_id: _per_tier(held[scheme_id], ids, arr) for scheme_id in scheme_ids}


def stored_tier_totals(session: Session, day: date | None = None) -> TierCounts | None:
    """Return the stored whole-book totals if they still hold for `day` (today), else None.

    One statement reads the totals and checks for marks, so both come from one snapshot.
    """
    if not writes_are_marked(session):
        return None
    stmt = select(TierTotal.scheme_id, TierTotal.tier, TierTotal.accounts, TierTotal.arr_cents)
    stmt = stmt.where(TierTotal.day == (day or utcnow().date()), unmarked(TIERS))
    rows = session.execute(stmt).all()
    if not rows:
        return None  # none stored, stale, or no tiers at all: the live count is as cheap then
    totals: TierCounts = {}
    for row in rows:
        totals.setdefault(row.scheme_id, []).append(
            {"tier": row.tier, "accounts": row.accounts, "arr_cents": row.arr_cents}
        )
    return totals


def whole_book_tier_totals(session: Session, scheme_ids: list[int]) -> TierCounts:
    """Return the whole book's totals per tier of the given schemes: stored when current, else live."""
    stored = stored_tier_totals(session)
    if stored is None:
        return count_tiers(session, SYSTEM_ACTOR, scheme_ids)
    return {scheme_id: stored.get(scheme_id, []) for scheme_id in scheme_ids}


def store_tier_totals(session: Session) -> int:
    """Count every scheme's tiers over the whole book and store them for today; return the rows.

    Where writes are not marked nothing would serve them: nothing is stored.
    """
    if not writes_are_marked(session):
        return 0
    day = utcnow().date()

    def counted_rows() -> list[dict]:
        scheme_ids = list(session.scalars(select(TierScheme.id)))
        counted = count_tiers(session, SYSTEM_ACTOR, scheme_ids)
        return [
            {"scheme_id": scheme_id, "day": day, **total}
            for scheme_id, totals in counted.items()
            for total in totals
        ]

    with unit_of_work(session):
        return replace_totals(session, TIERS, TierTotal, counted_rows)


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
