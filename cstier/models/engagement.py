"""Engagement: the touches a CSM logs with an account (call, meeting, QBR, email)."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import VersionedMixin, utcnow
from cstier.models.users import User


class Touch(db.Model):
    """One contact with an account: its kind, day, CSM and note."""

    __tablename__ = "touch"
    # Holds the kind too, so each account's last touch of a cadence's kind reads the index alone.
    __table_args__ = (
        Index("ix_touch_account_occurred_on_kind", "account_id", "occurred_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set by imports, so a re-imported file updates rather than duplicates.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # call, meeting, qbr, email
    occurred_on: Mapped[date] = mapped_column(Date)
    csm_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    csm: Mapped[User | None] = relationship()


class TouchCadence(VersionedMixin, db.Model):
    """How often a coverage model's accounts must be touched: a kind (or any) every N days."""

    __tablename__ = "touch_cadence"

    coverage_model_id: Mapped[int] = mapped_column(
        ForeignKey("coverage_model.id", ondelete="CASCADE"), primary_key=True
    )
    touch_kind: Mapped[str | None] = mapped_column(String(20))  # None: any kind counts
    every_days: Mapped[int] = mapped_column(Integer)
