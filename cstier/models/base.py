"""Column types and mixins shared by every aggregate."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# JSONB on PostgreSQL so custom attributes can be indexed and queried there.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Return the current time in UTC (times are stored in UTC)."""
    return datetime.now(UTC)


class TimestampMixin:
    """created_at / updated_at columns kept in UTC."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class VersionedMixin:
    """A version column checked in the UPDATE itself, so a concurrent edit cannot be lost.

    SQLAlchemy adds `WHERE version = :read` to every UPDATE and raises StaleDataError when no
    row matched; `cstier.services.versioning` turns that into a Conflict.
    """

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}
