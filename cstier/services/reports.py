"""The weekly tier review: the week's tier changes in the actor's book, plus what needs attention.

The web page, the API, the CLI and (later) the scheduled email all call tier_review.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, sees_whole_book
from cstier.domain.reports import (
    InvalidWeek,
    SchemeTiers,
    TierReview,
    WeekMoves,
    last_full_week,
    review_from_moves,
    review_from_stored,
    week_bounds,
    week_label,
)
from cstier.domain.reports.tier_review import TOP_MOVERS
from cstier.domain.reports.weeks import neighbour_week
from cstier.domain.tiering import InvalidScheme, parse_scheme
from cstier.models import (
    Account,
    AccountCoverage,
    CoverageModel,
    TierOverride,
    TierScheme,
    User,
    WeeklyReport,
)
from cstier.models.base import utcnow
from cstier.services.accounts import scoped
from cstier.services.errors import ValidationFailed
from cstier.services.tiering.fields import field_catalog
from cstier.services.week_review import read_changes, stored_week_moves, week_changes_query
from cstier.store.week_moves import read_week_moves

ATTENTION_HORIZON = timedelta(days=7)
ATTENTION_LIMIT = 50


@dataclass
class TierReviewReport:
    """The tier review of one ISO week, as the actor may see it."""

    week: str
    week_start: date
    starts_at: datetime
    ends_at: datetime
    generated_at: datetime
    review: TierReview
    expiring_overrides: list[dict] = field(default_factory=list)
    expiring_overrides_total: int = 0
    needs_reassignment: list[dict] = field(default_factory=list)
    needs_reassignment_total: int = 0
    lines: list[str] = field(default_factory=list)
    previous_week: str | None = None
    next_week: str | None = None
    # Set when the moves are the stored weekly report's (a closed week, the whole book).
    weekly_report_built_at: datetime | None = None
    # Set when the moves are those a run stored, with the accounts changed since added.
    moves_stored_at: datetime | None = None
    moves_changed_since: int = 0

    @property
    def last_day(self) -> date:
        """Return the Sunday that closes the week."""
        return self.week_start + timedelta(days=6)


def as_utc(moment: datetime) -> datetime:
    """Return a datetime in UTC; a naive one (SQLite hands them back so) already is."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scheme_tiers(session: Session) -> dict[int, SchemeTiers]:
    """Return every scheme with its current tiers (top first): active ones first, by dimension."""
    catalog = field_catalog(session)
    order = {"value": 0, "needs": 1, "segment": 2}
    schemes = session.scalars(select(TierScheme)).all()
    schemes = sorted(schemes, key=lambda s: (not s.active, order.get(s.dimension, 9), s.name))
    out = {}
    for scheme in schemes:
        try:
            tiers = parse_scheme(scheme.current.definition, catalog).tiers
        except (InvalidScheme, StopIteration):
            tiers = ()  # a scheme whose fields are gone still reports its moves, unranked
        out[scheme.id] = SchemeTiers(scheme.id, scheme.name, scheme.dimension, tuple(tiers))
    return out


def default_week(now: datetime | None = None) -> date:
    """Return the Monday of the last full week, the one a review shows unless asked otherwise."""
    return last_full_week((as_utc(now) if now else utcnow()).date())


def tier_review(
    session: Session, actor: Actor, week_start: date | None, now: datetime | None = None
) -> TierReviewReport:
    """Build the review of the week starting on Monday week_start (default: the last full week)."""
    now = as_utc(now) if now else utcnow()
    week_start = week_start or last_full_week(now.date())
    try:
        starts_at, ends_at = week_bounds(week_start)
    except InvalidWeek as exc:
        raise ValidationFailed(str(exc), {"week": [str(exc)]}) from exc
    schemes = scheme_tiers(session)
    stored = stored_review(session, actor, week_start, now)
    snapshot = None if stored else stored_week_moves(session, actor, week_start)
    if stored:
        review = stored[0]
    elif snapshot:
        review = review_of_moves(session, snapshot.moves, schemes)
    else:
        review = movement_between(session, actor, starts_at, ends_at, schemes)
    # Attention items as they stood when the week closed (or now, for the current week).
    as_of = min(now, ends_at)
    expiring, expiring_total = expiring_overrides(session, actor, as_of, schemes)
    flagged, flagged_total = accounts_needing_reassignment(session, actor)
    lines = list(review.lines)
    if expiring_total:
        lines.append(f"{expiring_total:,} tier overrides expire in the next 7 days.")
    if flagged_total:
        lines.append(f"{flagged_total:,} accounts need a new owner for their coverage model.")
    previous, following = neighbour_week(week_start, -1), neighbour_week(week_start, 1)
    return TierReviewReport(
        week=week_label(week_start),
        week_start=week_start,
        starts_at=starts_at,
        ends_at=ends_at,
        generated_at=now,
        review=review,
        expiring_overrides=expiring,
        expiring_overrides_total=expiring_total,
        needs_reassignment=flagged,
        needs_reassignment_total=flagged_total,
        lines=lines,
        previous_week=week_label(previous) if previous else None,
        next_week=week_label(following) if following and following <= now.date() else None,
        weekly_report_built_at=stored[1] if stored else None,
        moves_stored_at=snapshot.stored_at if snapshot else None,
        moves_changed_since=snapshot.changed_accounts if snapshot else 0,
    )


def stored_review(
    session: Session, actor: Actor, week_start: date, now: datetime
) -> tuple[TierReview, datetime] | None:
    """Return the review and build time of the week's stored weekly report, if it applies.

    The report is the immutable snapshot of the whole book's week, built after the week
    ended: it serves an actor who sees the whole book, once the week has ended, when its
    week has the page's UTC bounds (a workspace in another timezone reports local weeks)
    and it holds the review.
    """
    starts_at, ends_at = week_bounds(week_start)
    if not sees_whole_book(actor) or ends_at > now:
        return None
    # Only the review section: the whole content document is most of a megabyte at 1M.
    report = session.execute(
        select(
            WeeklyReport.starts_at,
            WeeklyReport.ends_at,
            WeeklyReport.built_at,
            WeeklyReport.content["review"].label("review"),
        ).where(WeeklyReport.week == week_label(week_start))
    ).first()
    if report is None or (as_utc(report.starts_at), as_utc(report.ends_at)) != (
        starts_at,
        ends_at,
    ):
        return None
    try:
        return review_from_stored(report.review), as_utc(report.built_at)
    except (KeyError, TypeError):
        return None  # a report stored in an older shape: compute the week afresh


def movement_between(
    session: Session,
    actor: Actor,
    starts_at: datetime,
    ends_at: datetime,
    schemes: dict[int, SchemeTiers],
) -> TierReview:
    """Return the tier moves per scheme in [starts_at, ends_at) on the actor's accounts."""
    moves = read_week_moves(session, week_changes_query(actor, starts_at, ends_at), TOP_MOVERS)
    return review_of_moves(session, moves, schemes)


def review_of_moves(
    session: Session, moves: WeekMoves, schemes: dict[int, SchemeTiers]
) -> TierReview:
    """Return the review of a week's net moves, the schemes as they are now."""
    # Active schemes always show (zeros say "nothing moved"); retired ones only if they moved.
    shown_ids = _active_ids(session) | set(moves.pairs["scheme_id"])
    return review_from_moves(moves, [s for s in schemes.values() if s.scheme_id in shown_ids])


def week_changes(
    session: Session, actor: Actor, starts_at: datetime, ends_at: datetime
) -> pd.DataFrame:
    """Return each tier change in [starts_at, ends_at) on the actor's accounts, with ARR and name.

    The review itself never reads these rows (movement_between groups them in SQL); this is
    the per-change view of the same week, e.g. to check the review against build_tier_review.
    """
    return read_changes(session, week_changes_query(actor, starts_at, ends_at))


def expiring_overrides(
    session: Session, actor: Actor, as_of: datetime, schemes: dict[int, SchemeTiers]
) -> tuple[list[dict], int]:
    """Return the overrides in force at as_of that expire within the next 7 days, soonest first."""
    stmt = scoped(
        select(
            TierOverride.id,
            TierOverride.account_id,
            Account.name,
            TierOverride.scheme_id,
            TierOverride.tier,
            TierOverride.expires_at,
            TierOverride.reason,
        )
        .join(Account, Account.id == TierOverride.account_id)
        .where(
            TierOverride.created_at <= as_of,
            or_(TierOverride.revoked_at.is_(None), TierOverride.revoked_at > as_of),
            TierOverride.expires_at > as_of,
            TierOverride.expires_at <= as_of + ATTENTION_HORIZON,
        ),
        actor,
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(
        stmt.order_by(TierOverride.expires_at, TierOverride.id).limit(ATTENTION_LIMIT)
    ).all()
    return [
        {
            "override_id": row.id,
            "account_id": row.account_id,
            "account_name": row.name,
            "scheme_id": row.scheme_id,
            "scheme_name": schemes[row.scheme_id].name if row.scheme_id in schemes else "",
            "tier": row.tier,
            "expires_at": as_utc(row.expires_at),
            "reason": row.reason,
        }
        for row in rows
    ], total or 0


def accounts_needing_reassignment(session: Session, actor: Actor) -> tuple[list[dict], int]:
    """Return the accounts flagged for a new owner now, largest ARR first."""
    stmt = scoped(
        select(
            Account.id,
            Account.name,
            Account.arr_cents,
            Account.csm_id,
            User.name.label("csm_name"),
            CoverageModel.name.label("coverage_model"),
        )
        .join(AccountCoverage, AccountCoverage.account_id == Account.id)
        .outerjoin(User, User.id == Account.csm_id)
        .outerjoin(CoverageModel, CoverageModel.id == AccountCoverage.coverage_model_id)
        .where(AccountCoverage.needs_reassignment.is_(True)),
        actor,
    )
    if sees_whole_book(actor):
        # Each coverage row has its account (a cascading key): count the flags from their
        # index alone, not joined to every account of the book.
        total = session.scalar(
            select(func.count())
            .select_from(AccountCoverage)
            .where(AccountCoverage.needs_reassignment.is_(True))
        )
    else:
        total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(
        stmt.order_by(Account.arr_cents.desc(), Account.id).limit(ATTENTION_LIMIT)
    ).all()
    return [
        {
            "account_id": row.id,
            "account_name": row.name,
            "arr_cents": row.arr_cents,
            "csm_id": row.csm_id,
            "csm_name": row.csm_name,
            "coverage_model": row.coverage_model,
        }
        for row in rows
    ], total or 0


def _active_ids(session: Session) -> set[int]:
    return set(session.scalars(select(TierScheme.id).where(TierScheme.active.is_(True))))
