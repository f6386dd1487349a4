"""Daily and weekly digests: one email per user and period, grouping their pending notifications."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cstier.models import Delivery, Notification, User
from cstier.models.base import utcnow
from cstier.services.alerts_delivery.dispatch import _delivery
from cstier.services.alerts_delivery.messages import digest_email
from cstier.services.unit_of_work import unit_of_work
from cstier.store.claims import insert_missing

PERIODS = ("daily", "weekly")


@dataclass
class DigestSummary:
    """How many digests a pass queued and how many notifications they hold."""

    digests: int = 0
    notifications: int = 0


def period_label(period: str, now: datetime) -> str:
    """Name the period a digest sent now belongs to: a UTC day or an ISO week."""
    if period == "daily":
        return now.strftime("%Y-%m-%d")
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def send_digests(session: Session, now: datetime | None, period: str) -> DigestSummary:
    """Queue one digest email per user with pending notifications of the period; once per period."""
    now = now or utcnow()
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    label = period_label(period, now)
    summary = DigestSummary()
    with unit_of_work(session):
        rows = session.execute(
            select(Notification, User.email)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.digest == period,
                Notification.digested_at.is_(None),
                Notification.created_at <= now,
                User.active.is_(True),
            )
            .order_by(Notification.user_id, Notification.id)
        ).all()
        by_user: dict[int, tuple[str, list[Notification]]] = {}
        for notification, email in rows:
            by_user.setdefault(notification.user_id, (email, []))[1].append(notification)
        keys = {user_id: f"digest:{user_id}:{period}:{label}" for user_id in by_user}
        # A user's digest of this period already queued: what came after waits for the next.
        taken = set(session.scalars(select(Delivery.key).where(Delivery.key.in_(keys.values()))))
        deliveries, included = [], []
        for user_id, (email, notifications) in by_user.items():
            if keys[user_id] in taken:
                continue
            items = [{"title": n.title, "cause": n.cause, "body": n.body} for n in notifications]
            deliveries.append(
                _delivery(
                    keys[user_id], "email", email, None, digest_email(period, label, items), now
                )
            )
            included += [n.id for n in notifications]
        insert_missing(session, Delivery.__table__, deliveries, ["key"])
        for start in range(0, len(included), 1000):
            session.execute(
                update(Notification)
                .where(Notification.id.in_(included[start : start + 1000]))
                .values(digested_at=now)
            )
        summary.digests, summary.notifications = len(deliveries), len(included)
    return summary
