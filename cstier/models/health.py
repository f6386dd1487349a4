"""Account health: scorecards, stored scores with their contributions, and overrides."""

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, VersionedMixin, utcnow


class Scorecard(VersionedMixin, db.Model):
    """Weighted measures that make a health score, for the default, a coverage model or a tier."""

    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("scope", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(20))  # default, coverage_model, value_tier
    scope_key: Mapped[str] = mapped_column(String(60), default="")
    # {"measures": [...], "min_coverage", "red_below", "green_at", "hysteresis"}
    definition: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HealthScoring(db.Model):
    """One day's scoring with one scorecard: the measures its scores' values follow."""

    __tablename__ = "health_scoring"
    __table_args__ = (UniqueConstraint("scored_on", "scorecard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scored_on: Mapped[date] = mapped_column(Date)
    scorecard_id: Mapped[int] = mapped_column(Integer)
    measures: Mapped[list] = mapped_column(JSONType, default=list)  # [{"key", "label"}], in order
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HealthScore(db.Model):
    """One account's score on one day, with each measure's contribution; append-only history.

    No foreign keys: scoring writes the whole book in bulk, like tier_change. `measures`
    packs four little-endian float32 per measure of the day's HealthScoring (input, points,
    weight share, contribution; NaN where missing): formatting numbers as JSON text for a
    million accounts costs many times the scoring itself.
    """

    __tablename__ = "health_score"
    __table_args__ = (
        UniqueConstraint("account_id", "scored_on"),
        Index("ix_health_score_scored_on_account", "scored_on", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    scorecard_id: Mapped[int] = mapped_column(Integer)
    scored_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    coverage: Mapped[float] = mapped_column(Float)
    computed_band: Mapped[str] = mapped_column(String(12))  # red, yellow, green, insufficient
    band: Mapped[str] = mapped_column(String(12))  # computed_band unless an override holds
    measures: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HealthOverride(db.Model):
    """A manager's band for an account, with a reason, until it expires or is revoked."""

    __tablename__ = "health_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    band: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
