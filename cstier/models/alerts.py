"""Alert rules, who subscribes to them, in-app notifications, webhook endpoints, deliveries."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow
from cstier.models.users import User


class AlertRule(db.Model):
    """What is worth telling: a kind of change, narrowed by scheme, tier, region or model."""

    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # downgrade, top_tier, my_book, any_move, coverage_change
    kind: Mapped[str] = mapped_column(String(30))
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("tier_scheme.id"))
    tier: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(50))
    coverage_model_id: Mapped[int | None] = mapped_column(ForeignKey("coverage_model.id"))
    # The rule every manager (or CSM) is subscribed to until they say otherwise.
    default_for: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertSubscription(db.Model):
    """A user told of a rule's alerts on some channels, as they happen or in a digest.

    A row with no channels is an unsubscription: it keeps a default rule from coming back.
    """

    __tablename__ = "alert_subscription"
    __table_args__ = (UniqueConstraint("user_id", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id", ondelete="CASCADE"))
    channels: Mapped[list] = mapped_column(JSONType, default=list)  # in_app, email
    cadence: Mapped[str] = mapped_column(String(10), default="immediate")  # daily, weekly

    rule: Mapped[AlertRule] = relationship()
    user: Mapped[User] = relationship()


class Notification(db.Model):
    """One change told to one user: shown in the notification centre and/or mailed."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "change_key"),
        # The navbar's unread count reads only this index.
        Index("ix_notification_user_unread", "user_id", "in_app", "read_at"),
        Index("ix_notification_digest", "digest", "digested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    change_key: Mapped[str] = mapped_column(String(60))  # tier_change:12, coverage_change:3
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rule.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(String(200), default="")
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[str | None] = mapped_column(String(10))  # daily, weekly: mailed in one
    digested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookEndpoint(db.Model):
    """A URL told of changes, signed with its own secret (Standard Webhooks)."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSONType, default=list)  # tier.changed, coverage.changed
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rule.id", ondelete="SET NULL"))
    payload_format: Mapped[str] = mapped_column(String(20), default="standard")  # slack
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    # The whsec_ secret, encrypted with CSTIER_ENCRYPTION_KEY (Fernet); never stored in clear.
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    rule: Mapped[AlertRule | None] = relationship()


class Delivery(db.Model):
    """One message to send at least once: an email or a webhook call, retried until done."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What makes it unique: dispatching an event twice finds the same keys and adds nothing.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # email, webhook
    target: Mapped[str] = mapped_column(String(2000))  # an address or an endpoint's URL
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(80))  # webhook-id: the same on every retry
    payload: Mapped[dict] = mapped_column(JSONType)
    # pending, sending, sent, failed (refused for good), gave_up (too many attempts)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
