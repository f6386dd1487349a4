"""The outbox: events written in the same transaction as the change they announce."""

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow


class OutboxEvent(db.Model):
    """A domain event waiting to be turned into deliveries (alerts, webhooks, email)."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), index=True)  # e.g. tier.changed
    payload: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
