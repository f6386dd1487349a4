"""Churn and retention: stored period results per segment, churned accounts, headline choices."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import utcnow


class MetricResult(db.Model):
    """One segment's retention figures over one period, as `cstier metrics refresh` computed them.

    Rates (logo churn, GRR, NRR) are not stored: they follow from the counts and sums here.
    """

    __tablename__ = "metric_result"
    __table_args__ = (UniqueConstraint("split", "period_start", "period_end", "segment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    split: Mapped[str] = mapped_column(String(80))  # total, tier:<scheme key>, coverage_model, csm
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    segment: Mapped[str] = mapped_column(String(200))
    accounts_start: Mapped[int] = mapped_column(Integer)
    accounts_churned: Mapped[int] = mapped_column(Integer)
    accounts_new: Mapped[int] = mapped_column(Integer)
    accounts_reactivated: Mapped[int] = mapped_column(Integer)
    accounts_passing: Mapped[int] = mapped_column(Integer)  # active only between the snapshots
    mrr_start_cents: Mapped[int] = mapped_column(BigInteger)
    mrr_end_cents: Mapped[int] = mapped_column(BigInteger)
    churned_cents: Mapped[int] = mapped_column(BigInteger)
    contraction_cents: Mapped[int] = mapped_column(BigInteger)
    expansion_cents: Mapped[int] = mapped_column(BigInteger)
    new_cents: Mapped[int] = mapped_column(BigInteger)
    reactivation_cents: Mapped[int] = mapped_column(BigInteger)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChurnedAccount(db.Model):
    """An account churned today: it had subscriptions and none runs (or its stage says churned).

    Refreshed by `cstier metrics refresh` and by subscription imports; coverage, capacity,
    headcount and suggestions leave these accounts out.
    """

    __tablename__ = "churned_account"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[date | None] = mapped_column(Date)


class SegmentHeadline(db.Model):
    """The metric a segment reads first on the health page: a dollar or a volume measure."""

    __tablename__ = "segment_headline"
    __table_args__ = (UniqueConstraint("split", "segment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    split: Mapped[str] = mapped_column(String(80))
    segment: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(20))  # grr, logo_churn, nrr
