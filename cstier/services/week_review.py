"""Store the whole book's tier review of the recent weeks after a run, for the page to serve.

Only where writes are marked (store/book_marks.py): the review holds until a tier change is
written, and a run writes its moves before it stores. A week that has its weekly report is
served from the report instead, so only the week in progress and, until its report is built,
the week before are stored.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.reports import last_full_week, week_bounds, week_label
from cstier.domain.reports.tier_review import review_to_stored
from cstier.models import WeeklyReport, WeekReviewSnapshot
from cstier.models.base import utcnow
from cstier.services.reports import movement_between, scheme_tiers
from cstier.services.unit_of_work import unit_of_work
from cstier.store.book_marks import MOVES, replace_totals, writes_are_marked


def store_week_reviews(session: Session, now: datetime | None = None) -> int:
    """Store the whole book's review of the week in progress and of the week before; return how many."""
    if not writes_are_marked(session):
        return 0
    now = now or utcnow()
    last_week = last_full_week(now.date())
    weeks = [last_week, last_week + timedelta(days=7)]

    def reviews() -> list[dict]:
        reported = set(
            session.scalars(
                select(WeeklyReport.week).where(WeeklyReport.week.in_(map(week_label, weeks)))
            )
        )
        schemes = scheme_tiers(session)
        rows = []
        for week_start in weeks:
            if week_label(week_start) in reported:
                continue
            starts_at, ends_at = week_bounds(week_start)
            review = movement_between(session, SYSTEM_ACTOR, starts_at, ends_at, schemes)
            rows.append(
                {
                    "week": week_label(week_start),
                    "computed_at": now,
                    "review": review_to_stored(review),
                }
            )
        return rows

    with unit_of_work(session):
        return replace_totals(session, MOVES, WeekReviewSnapshot, reviews)
