"""The in-app notification centre: a user's notifications, the unread count, marking read."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Notification
from cstier.models.base import utcnow
from cstier.services.errors import NotFound
from cstier.services.unit_of_work import unit_of_work

UNREAD_SHOWN_UP_TO = 99  # the bell says 99+ past this: counting stops there


@dataclass(frozen=True)
class NotificationPage:
    """One page of a user's notifications, newest first."""

    items: list[Notification]
    total: int
    unread: int


def _mine(actor: Actor):
    return (Notification.user_id == actor.user_id) & Notification.in_app.is_(True)


def unread_count(session: Session, actor: Actor) -> int:
    """Return the user's unread notifications, counted up to UNREAD_SHOWN_UP_TO + 1."""
    capped = (
        select(Notification.id)
        .where(_mine(actor), Notification.read_at.is_(None))
        .limit(UNREAD_SHOWN_UP_TO + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(capped)) or 0


def list_notifications(
    session: Session, actor: Actor, limit: int = 50, offset: int = 0
) -> NotificationPage:
    """Return one page of the user's notifications, newest first."""
    total = session.scalar(select(func.count()).select_from(Notification).where(_mine(actor))) or 0
    items = list(
        session.scalars(
            select(Notification)
            .where(_mine(actor))
            .order_by(Notification.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    return NotificationPage(items, total, unread_count(session, actor))


def mark_read(
    session: Session, actor: Actor, notification_id: int, now: datetime | None = None
) -> None:
    """Mark one of the user's notifications read."""
    now = now or utcnow()
    with unit_of_work(session):
        done = session.execute(
            update(Notification)
            .where(_mine(actor), Notification.id == notification_id)
            .values(read_at=func.coalesce(Notification.read_at, now))
        )
        if done.rowcount == 0:
            raise NotFound("No such notification.")


def mark_all_read(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read; return how many."""
    now = now or utcnow()
    with unit_of_work(session):
        return session.execute(
            update(Notification)
            .where(_mine(actor), Notification.read_at.is_(None))
            .values(read_at=now)
        ).rowcount
