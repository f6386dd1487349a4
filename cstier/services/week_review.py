"""The whole book's net moves of the recent weeks, stored after a run and served with what came after.

Only where writes are marked (store/book_marks.py). A run stores the week in progress and,
until its weekly report is built, the week before, as read up to a tier change id every
smaller id of which had committed. A page serves that copy with the accounts whose tier
changed after the id brought up to date (domain/reports/moves_delta.py); it computes the
week live when too many changed, or when a write it cannot add was marked: a tier change
rewritten or an account deleted ("moves"), or an ARR updated ("moves_arr": a changed
account's ARR as the run saw it is then unknown). The stored copy keeps the ARR and names
the run saw; the accounts brought up to date show theirs as of now, as a live review does.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR, Actor, sees_whole_book
from cstier.domain.reports import WeekMoves, last_full_week, week_bounds, week_label
from cstier.domain.reports.moves_delta import (
    STORED_MOVERS,
    moves_from_stored,
    moves_to_stored,
    moves_with_changes,
)
from cstier.domain.reports.net_moves import CHANGE_COLUMNS
from cstier.models import Account, TierChange, WeeklyReport, WeekReviewSnapshot
from cstier.models.base import utcnow
from cstier.services.accounts import scoped
from cstier.services.unit_of_work import unit_of_work
from cstier.store.book_marks import MOVES, MOVES_ARR, replace_totals, unmarked, writes_are_marked
from cstier.store.bulk_reads import among, read_frame
from cstier.store.week_moves import read_week_moves, settled_change_point

# Past 5,000 accounts (or 20,000 tier changes) changed since the run, the page computes live.
CHANGED_ACCOUNTS_LIMIT, CHANGES_LIMIT = 5_000, 20_000


@dataclass
class StoredMoves:
    """A week's net moves as the last run stored them, with the accounts changed since added."""

    moves: WeekMoves
    stored_at: datetime
    changed_accounts: int


def store_week_reviews(session: Session, now: datetime | None = None) -> int:
    """Store the whole book's net moves of the week in progress and of the week before; return how many."""
    if not writes_are_marked(session):
        return 0
    now = now or utcnow()
    last_week = last_full_week(now.date())
    weeks = [last_week, last_week + timedelta(days=7)]
    # Its own short transaction: the lock that settles the point ends with it.
    with unit_of_work(session):
        last_change_id = settled_change_point(session)

    def reviews() -> list[dict]:
        reported = set(
            session.scalars(
                select(WeeklyReport.week).where(WeeklyReport.week.in_(map(week_label, weeks)))
            )
        )
        rows = []
        for week_start in weeks:
            if week_label(week_start) in reported:
                continue
            starts_at, ends_at = week_bounds(week_start)
            changes = week_changes_query(SYSTEM_ACTOR, starts_at, ends_at)
            moves = read_week_moves(
                session, changes.where(TierChange.id <= last_change_id), STORED_MOVERS
            )
            rows.append(
                {
                    "week": week_label(week_start),
                    "computed_at": now,
                    "moves": moves_to_stored(moves),
                    "last_change_id": last_change_id,
                }
            )
        return rows

    with unit_of_work(session):
        return replace_totals(session, (MOVES, MOVES_ARR), WeekReviewSnapshot, reviews)


def stored_week_moves(session: Session, actor: Actor, week_start: date) -> StoredMoves | None:
    """Return the week's whole-book net moves as stored, brought up to date; None to compute live."""
    if not sees_whole_book(actor) or not writes_are_marked(session):
        return None
    week = week_label(week_start)
    # One statement reads the copy, its marks and the last id, so all come from one snapshot.
    row = session.execute(
        select(
            WeekReviewSnapshot.moves,
            WeekReviewSnapshot.computed_at,
            WeekReviewSnapshot.last_change_id,
            unmarked(MOVES).label("current"),
            unmarked(MOVES_ARR).label("same_arr"),
            select(func.max(TierChange.id)).scalar_subquery().label("last_id"),
        ).where(WeekReviewSnapshot.week == week)
    ).first()
    if row is None or not row.current:
        return None
    try:
        moves = moves_from_stored(row.moves)
    except (KeyError, TypeError, ValueError):
        return None  # stored in an older shape: compute the week afresh
    stored_at = _as_utc(row.computed_at)
    if (row.last_id or 0) <= row.last_change_id:
        return StoredMoves(moves, stored_at, 0)
    later = session.scalars(
        select(TierChange.account_id)
        .where(TierChange.id > row.last_change_id)
        .limit(CHANGES_LIMIT + 1)
    ).all()
    changed = sorted(set(later))
    if len(later) > CHANGES_LIMIT or len(changed) > CHANGED_ACCOUNTS_LIMIT:
        return None
    starts_at, ends_at = week_bounds(week_start)
    changes = _changed_accounts_week(session, starts_at, ends_at, changed)
    # Only changes inside this week change its review (later weeks' leave it exact).
    in_week = set(changes.loc[changes["change_id"] > row.last_change_id, "account_id"].tolist())
    if not in_week:
        return StoredMoves(moves, stored_at, 0)
    if not row.same_arr:
        return None
    # A write marked after the first statement may be in the changes read: check again.
    again = session.execute(
        select(WeekReviewSnapshot.last_change_id, unmarked(MOVES), unmarked(MOVES_ARR)).where(
            WeekReviewSnapshot.week == week
        )
    ).first()
    if again is None or tuple(again) != (row.last_change_id, True, True):
        return None
    updated = moves_with_changes(moves, changes, row.last_change_id)
    if updated is None:
        return None
    return StoredMoves(updated, stored_at, len(in_week))


def week_changes_query(actor: Actor, starts_at: datetime, ends_at: datetime) -> Select:
    """Select the tier changes in [starts_at, ends_at) on the actor's accounts, in CHANGE_COLUMNS."""
    stmt = (
        select(
            TierChange.id.label("change_id"),
            TierChange.account_id,
            TierChange.scheme_id,
            TierChange.from_tier,
            TierChange.to_tier,
            TierChange.at,
            Account.arr_cents,
        )
        .join(Account, Account.id == TierChange.account_id)
        .where(TierChange.at >= starts_at, TierChange.at < ends_at)
        .order_by(TierChange.at, TierChange.id)
    )
    return scoped(stmt, actor)


def read_changes(session: Session, stmt: Select) -> pd.DataFrame:
    """Return the changes week_changes_query selects, with account_name, as a frame."""
    frame = read_frame(session, stmt.add_columns(Account.name), [*CHANGE_COLUMNS, "account_name"])
    # The raw cursor hands SQLite's datetimes over as text; parse them (they are UTC).
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return frame


def _changed_accounts_week(
    session: Session, starts_at: datetime, ends_at: datetime, account_ids: list[int]
) -> pd.DataFrame:
    """Return the week's changes of the accounts changed since the stored point (ids already read)."""
    stmt = week_changes_query(SYSTEM_ACTOR, starts_at, ends_at)
    return read_changes(session, stmt.where(among(session, TierChange.account_id, account_ids)))


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
