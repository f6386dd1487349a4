"""Onboarding: a plan of milestones per coverage model, and each new account's onboarding."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, VersionedMixin, utcnow


class OnboardingPlan(VersionedMixin, db.Model):
    """A template of milestones with target days from the start; one per coverage model."""

    __tablename__ = "onboarding_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null is the fallback plan, for accounts whose coverage model has none.
    coverage_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("coverage_model.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    # [{"key", "name", "target_days", "first_value"}], in order
    milestones: Mapped[list] = mapped_column(JSONType, default=list)
    stall_days: Mapped[int] = mapped_column(Integer, default=21)
    overdue_days: Mapped[int] = mapped_column(Integer, default=14)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccountOnboarding(db.Model):
    """An account's onboarding from its plan: start, status, and the day it reached first value."""

    __tablename__ = "account_onboarding"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("onboarding_plan.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    # on_track, at_risk, stalled, completed
    status: Mapped[str] = mapped_column(String(20), default="on_track", index=True)
    first_value_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
