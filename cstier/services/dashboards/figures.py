"""Figures both dashboards read: moves by tier, capped counts, tiers of a few accounts, renewals."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import Session

from cstier.domain.reports.tier_review import SchemeTiers
from cstier.domain.trends import MOVE_MEASURES, moves_into
from cstier.models import Account, TierChange, TieringRun
from cstier.store.bulk_reads import read_frame
from cstier.store.tier_blocks import tiers_of

COUNT_CAP = 10_000  # past this a dashboard says "10,000+": counting a million rows is no help
RENEWAL_DAYS = 90


@dataclass
class CappedCount:
    """A count that stops at COUNT_CAP."""

    value: int
    capped: bool

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.capped else f"{self.value:,}"


@dataclass
class TierMoves:
    """One ranked scheme's moves in a period: per tier, up and down into it, with ARR."""

    scheme_id: int
    name: str
    dimension: str
    tiers: list[dict] = field(default_factory=list)
    up: int = 0
    down: int = 0
    arr_up_cents: int = 0
    arr_down_cents: int = 0


def capped_count(session: Session, stmt: Select) -> CappedCount:
    """Count a query's rows up to COUNT_CAP (it reads at most that many)."""
    limited = stmt.limit(COUNT_CAP + 1).subquery()
    value = session.scalar(select(func.count()).select_from(limited)) or 0
    return CappedCount(min(value, COUNT_CAP), value > COUNT_CAP)


def tier_moves(scheme: SchemeTiers, into: pd.DataFrame) -> TierMoves:
    """Return a scheme's moves from per-tier sums (tier, up, down, arr_up_cents, arr_down_cents).

    Every tier of the scheme is listed, top first, zeros where nothing moved into it.
    """
    sums = into.set_index("tier") if len(into) else pd.DataFrame(columns=MOVE_MEASURES)
    order = list(scheme.tiers) + sorted(set(sums.index) - set(scheme.tiers))
    moves = TierMoves(scheme.scheme_id, scheme.name, scheme.dimension)
    for tier in order:
        row = {"tier": tier}
        for measure in MOVE_MEASURES:
            row[measure] = int(sums.at[tier, measure]) if tier in sums.index else 0
        moves.tiers.append(row)
    for measure in MOVE_MEASURES:
        setattr(moves, measure, sum(r[measure] for r in moves.tiers))
    return moves


def book_moves(
    session: Session,
    scheme: SchemeTiers,
    account_ids: list[int],
    starts_at: datetime,
    ends_at: datetime,
) -> TierMoves:
    """Return a scheme's moves of a few accounts (a CSM's book) in [starts_at, ends_at).

    The history is probed by run, then account, as an account's timeline does; changes
    made outside a run (overrides, imports) have no run and are probed the same way.
    """
    runs = session.scalars(
        select(TieringRun.id).where(
            TieringRun.started_at >= starts_at - timedelta(days=1), TieringRun.started_at < ends_at
        )
    ).all()
    mine = TierChange.account_id.in_(account_ids or [-1])
    in_week = (
        TierChange.scheme_id == scheme.scheme_id,
        TierChange.at >= starts_at,
        TierChange.at < ends_at,
    )
    # Two probes of the (run, account) index, not one OR: with the OR the planner reads the
    # whole history.
    changes = union_all(
        *(
            select(TierChange.from_tier, TierChange.to_tier, TierChange.account_id).where(
                by_run, mine, *in_week
            )
            for by_run in (TierChange.run_id.in_(runs or [-1]), TierChange.run_id.is_(None))
        )
    ).subquery()
    stmt = (
        select(
            literal(scheme.scheme_id).label("scheme_id"),
            changes.c.from_tier,
            changes.c.to_tier,
            func.count(),
            func.coalesce(func.sum(Account.arr_cents), 0),
        )
        .join(Account, Account.id == changes.c.account_id)
        .group_by(changes.c.from_tier, changes.c.to_tier)
    )
    moves = read_frame(session, stmt, ["scheme_id", "from_key", "to_key", "accounts", "arr_cents"])
    into = moves_into(moves, {scheme.scheme_id: scheme})
    return tier_moves(scheme, into.drop(columns="scheme_id"))


def by_tier(session: Session, scheme: SchemeTiers | None, book: pd.DataFrame) -> list[dict]:
    """Return accounts and ARR per tier of a few accounts (account_id, arr_cents), top tier first.

    Accounts without a tier come last as tier None.
    """
    if book.empty:
        return []
    ids = book["account_id"].to_numpy(dtype=np.int64)
    tiers = tiers_of(session, scheme.scheme_id, ids) if scheme else np.full(len(ids), None)
    frame = pd.DataFrame({"tier": tiers, "arr_cents": book["arr_cents"].to_numpy()})
    frame["tier"] = frame["tier"].fillna("")
    grouped = frame.groupby("tier").agg(
        accounts=("arr_cents", "size"), arr_cents=("arr_cents", "sum")
    )
    totals = [
        (key or None, int(row.accounts), int(row.arr_cents))
        for key, row in zip(grouped.index, grouped.itertuples(index=False), strict=True)
    ]
    return in_tier_order(scheme, totals)


def in_tier_order(scheme: SchemeTiers | None, totals: list[tuple]) -> list[dict]:
    """Return (tier, accounts, arr_cents) totals as rows, top tier first and no tier last."""
    found = {tier: (accounts, arr) for tier, accounts, arr in totals}
    order = list(scheme.tiers) if scheme else []
    keys = [t for t in order if t in found] + sorted(t for t in found if t not in order and t)
    if None in found:
        keys.append(None)
    return [{"tier": k, "accounts": found[k][0], "arr_cents": found[k][1]} for k in keys]


def renewals_query(today: date, csm_id: int | None = None) -> Select:
    """Select account_id, arr_cents of the accounts renewing within RENEWAL_DAYS."""
    stmt = select(Account.id, Account.arr_cents).where(
        Account.renewal_date >= today,
        Account.renewal_date <= today + timedelta(days=RENEWAL_DAYS),
    )
    return stmt if csm_id is None else stmt.where(Account.csm_id == csm_id)


def read_book(session: Session, stmt: Select) -> pd.DataFrame:
    """Read account_id, arr_cents rows into a frame."""
    return read_frame(session, stmt, ["account_id", "arr_cents"])
