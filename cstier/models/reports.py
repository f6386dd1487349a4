"""Weekly report snapshots, who subscribes to them and to whom each was sent."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow


class WeeklyReport(db.Model):
    """The immutable snapshot of one ISO week's tier review, built after the week ended."""

    __tablename__ = "weekly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8), unique=True)  # YYYY-Www
    timezone: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    schema_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSONType)
    # Headline figures as columns, so the list of reports reads no content documents.
    accounts_up: Mapped[int] = mapped_column(Integer, default=0)
    accounts_down: Mapped[int] = mapped_column(Integer, default=0)
    needs_owner: Mapped[int] = mapped_column(Integer, default=0)
    at_risk: Mapped[int] = mapped_column(Integer, default=0)
    hidden_gems: Mapped[int] = mapped_column(Integer, default=0)


class WeekReviewSnapshot(db.Model):
    """The whole book's net moves of one week as a run left them, served with what came after.

    A run stores the week in progress and the one before (until its weekly report exists),
    read up to the tier change `last_change_id`; a page adds the accounts changed after it.
    A tier change rewritten or an account deleted marks it stale ("moves"), an ARR updated
    marks "moves_arr" (migrations 0044, 0046).
    """

    __tablename__ = "week_review_snapshot"

    week: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYY-Www, UTC weeks
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    moves: Mapped[dict] = mapped_column(JSONType)  # domain/reports/moves_delta.py's shape
    last_change_id: Mapped[int] = mapped_column(Integer)


class WeeklyReportSubscription(db.Model):
    """A manager or admin who wants the weekly report by email."""

    __tablename__ = "weekly_report_subscription"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WeeklyReportDelivery(db.Model):
    """One report emailed to one user; unique, so a repeat send sends nothing twice."""

    __tablename__ = "weekly_report_delivery"
    __table_args__ = (UniqueConstraint("report_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_report.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
