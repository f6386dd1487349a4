"""Who gets the weekly report by email, and sending it once per (report, user)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.domain.reports import InvalidWeek, parse_week, week_label
from cstier.domain.reports.hidden_gems import GemThresholds
from cstier.models import User, WeeklyReport, WeeklyReportDelivery, WeeklyReportSubscription
from cstier.models.base import utcnow
from cstier.notify.email import send_emails
from cstier.notify.weekly_report import weekly_report_email
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.reports import as_utc
from cstier.services.unit_of_work import unit_of_work
from cstier.services.weekly_report.build import (
    build_weekly_report,
    last_ended_week_label,
    stored_report,
)

SUBSCRIBER_ROLES = ("admin", "cs_manager")


@dataclass(frozen=True)
class SendOutcome:
    """What one send did: the report's week, who got it now and who had it already."""

    week: str
    sent: list[str]
    already_sent: int


def is_subscribed(session: Session, actor: Actor) -> bool:
    """Return whether the actor gets the weekly report by email."""
    if actor.user_id is None:
        return False
    return session.get(WeeklyReportSubscription, actor.user_id) is not None


def set_subscription(session: Session, actor: Actor, subscribed: bool) -> bool:
    """Subscribe the actor to the weekly report email, or stop it; managers and admins only."""
    if actor.user_id is None or not can_manage_book(actor):
        raise Forbidden("Only managers and admins can get the weekly report by email.")
    with unit_of_work(session):
        held = session.get(WeeklyReportSubscription, actor.user_id)
        if subscribed and held is None:
            session.add(WeeklyReportSubscription(user_id=actor.user_id))
        elif not subscribed and held is not None:
            session.delete(held)
    return subscribed


def subscribers(session: Session) -> list[User]:
    """Return the active managers and admins who subscribe, by id."""
    stmt = (
        select(User)
        .join(WeeklyReportSubscription, WeeklyReportSubscription.user_id == User.id)
        .where(User.active.is_(True), User.role.in_(SUBSCRIBER_ROLES))
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def send_weekly_report(session: Session, report_id: int, now: datetime) -> SendOutcome:
    """Email the report to every subscriber who has not had it yet; record each delivery.

    Each recipient's delivery commits right after their email is sent, so a repeat (or a
    retry after an SMTP failure) sends only to those still without it.
    """
    now = as_utc(now)
    report = session.get(WeeklyReport, report_id)
    if report is None:
        raise NotFound(f"No weekly report with id {report_id}.")
    had = set(
        session.scalars(
            select(WeeklyReportDelivery.user_id).where(WeeklyReportDelivery.report_id == report_id)
        )
    )
    sent, already = [], 0
    for user in subscribers(session):
        if user.id in had:
            already += 1
            continue
        email = weekly_report_email(report.week, report.content, user.name, user.email)
        delivery = WeeklyReportDelivery(
            report_id=report_id, user_id=user.id, email=user.email, sent_at=now
        )
        try:
            with unit_of_work(session):
                # Recorded first: a concurrent sender's row makes this flush fail, not resend.
                session.add(delivery)
                session.flush()
                send_emails([email])
        except IntegrityError:
            already += 1
            continue
        sent.append(user.email)
    return SendOutcome(week=report.week, sent=sent, already_sent=already)


@dataclass(frozen=True)
class WeeklyRun:
    """A report built (or found stored) on demand, and what sending it did, if it was sent."""

    report: WeeklyReport
    built: bool
    outcome: SendOutcome | None


def weekly_report_on_demand(
    session: Session,
    week: str | None,
    send: bool,
    thresholds: GemThresholds = GemThresholds(),
    now: datetime | None = None,
) -> WeeklyRun:
    """Build one week's report (default: the last ended week) and, if asked, email it."""
    now = as_utc(now) if now else utcnow()
    label = week or last_ended_week_label(session, now)
    try:
        existed = stored_report(session, week_label(parse_week(label))) is not None
    except InvalidWeek as exc:
        raise ValidationFailed(str(exc), {"week": [str(exc)]}) from exc
    report = build_weekly_report(session, label, now, thresholds)
    outcome = send_weekly_report(session, report.id, now) if send else None
    return WeeklyRun(report, not existed, outcome)


def weekly_review_job(
    session: Session, now: datetime, thresholds: GemThresholds = GemThresholds()
) -> SendOutcome:
    """Build the last ended week's report (or find it built) and email it to its subscribers."""
    return weekly_report_on_demand(session, None, True, thresholds, now).outcome
