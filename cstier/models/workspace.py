"""Workspace-wide settings (one row)."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import TimestampMixin, VersionedMixin


class Workspace(VersionedMixin, TimestampMixin, db.Model):
    """What the customer unit is, the workspace name and its timezone."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="cstier")
    account_unit: Mapped[str] = mapped_column(String(20), default="company")
    timezone: Mapped[str] = mapped_column(String(60), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
