"""Read stored weekly reports: the list and one report, for those who see the whole book."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, sees_whole_book
from cstier.domain.reports import InvalidWeek, parse_week, week_label
from cstier.models import WeeklyReport
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.paging import Page

WHOLE_BOOK_ONLY = (
    "The weekly report covers the whole book; a CSM sees their own book's moves on the "
    "tier review page."
)


def check_can_read(actor: Actor) -> None:
    """Refuse a CSM: the snapshot is of the whole book, and a CSM sees only their own."""
    if not sees_whole_book(actor):
        raise Forbidden(WHOLE_BOOK_ONLY)


def list_weekly_reports(session: Session, actor: Actor, limit: int, offset: int) -> Page:
    """Return the stored weekly reports, newest week first, without their content."""
    check_can_read(actor)
    total = session.scalar(select(func.count()).select_from(WeeklyReport)) or 0
    stmt = select(WeeklyReport).order_by(WeeklyReport.starts_at.desc()).limit(limit).offset(offset)
    return Page(rows=list(session.scalars(stmt)), total=total)


def get_weekly_report(session: Session, actor: Actor, week: str) -> WeeklyReport:
    """Return the stored report of a week (YYYY-Www), or raise NotFound."""
    check_can_read(actor)
    try:
        label = week_label(parse_week(week))
    except InvalidWeek as exc:
        raise ValidationFailed(str(exc), {"week": [str(exc)]}) from exc
    report = session.scalar(select(WeeklyReport).where(WeeklyReport.week == label))
    if report is None:
        raise NotFound(f"No weekly report for {label}; reports are built after their week ends.")
    return report
