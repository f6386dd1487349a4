"""Revenue and signals: subscriptions, usage metrics, validated needs, onboarding milestones."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.accounts import Account
from cstier.models.base import JSONType, TimestampMixin, VersionedMixin, utcnow


class Subscription(TimestampMixin, db.Model):
    """A product an account pays for, over a period; active subscriptions make current ARR."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    product: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    mrr_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    account: Mapped[Account] = relationship()


class UsageMetric(db.Model):
    """One usage figure of an account for one period (e.g. weekly active users in a month)."""

    __tablename__ = "usage_metric"
    # The metric index lists the usage fields a scheme may use without scanning every figure,
    # and holds each account's periods and values so health reads the latest from it alone.
    __table_args__ = (
        UniqueConstraint("account_id", "metric", "period_start"),
        Index("ix_usage_metric_metric_account", "metric", "account_id", "period_start", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)


class AccountNeed(TimestampMixin, db.Model):
    """A need or driver the customer expressed (survey) or a CSM validated."""

    __tablename__ = "account_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(60), index=True)  # e.g. integration_help
    source: Mapped[str] = mapped_column(String(20), default="survey")  # survey, csm
    validated: Mapped[bool] = mapped_column(Boolean, default=False)
    importance: Mapped[int | None] = mapped_column(Integer)  # 1..5 from a survey
    captured_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class OnboardingMilestone(TimestampMixin, db.Model):
    """A step of an account's onboarding plan, with its due and completion dates."""

    __tablename__ = "onboarding_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    # The key of the plan milestone this row completes, when it names one.
    plan_milestone: Mapped[str | None] = mapped_column(String(60))


class ImportRun(db.Model):
    """One file import: previewed (dry run), applied or failed, with its report."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))  # previewed, applied, failed
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSONType, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SavedImportMapping(VersionedMixin, TimestampMixin, db.Model):
    """The column mapping last applied for one kind of import, offered with the next file."""

    __tablename__ = "import_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), unique=True)
    mapping: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
