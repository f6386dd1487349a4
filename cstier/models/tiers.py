"""Tier schemes (versioned), current tiers per account, their history, runs and overrides."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow
from cstier.models.users import User


class TierScheme(db.Model):
    """A segmentation the workspace keeps: value, needs, or one a-priori segment."""

    __tablename__ = "tier_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    dimension: Mapped[str] = mapped_column(String(20), index=True)  # value, needs, segment
    goal: Mapped[str] = mapped_column(Text, default="")
    kpi: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list["TierSchemeVersion"]] = relationship(
        back_populates="scheme", order_by="TierSchemeVersion.version.desc()"
    )

    @property
    def current(self) -> "TierSchemeVersion":
        """Return the version runs use now."""
        return next(v for v in self.versions if v.version == self.current_version)


class TierSchemeVersion(db.Model):
    """One immutable definition of a scheme; editing a scheme adds a version."""

    __tablename__ = "tier_scheme_version"
    __table_args__ = (UniqueConstraint("scheme_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSONType)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    scheme: Mapped[TierScheme] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class TieringRun(db.Model):
    """One evaluation of the active schemes over the book."""

    __tablename__ = "tiering_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # succeeded, failed
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(20), default="cli")  # cli, web, api, schedule
    triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    scheme_versions: Mapped[dict] = mapped_column(JSONType, default=dict)
    accounts_evaluated: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[dict] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    triggered_by: Mapped[User | None] = relationship()


class AccountTier(db.Model):
    """An account's current tier in one scheme: the tier alone, and a pending move.

    Why the account holds the tier (explanation, rule or override, scheme version, run,
    time) is the latest tier_change row of the account and scheme, written in the same
    transaction as the tier (services/tiering/history.py reads it). Keeping only the tier
    here makes a row a fifth of its old width (migration 0013): a re-tier changes a few
    percent of rows spread over the whole table, so it rewrites nearly every page, and
    fewer pages are what makes that write fast.
    """

    __tablename__ = "account_tier"
    # Keyed (scheme_id, account_id) and, on SQLite, stored WITHOUT ROWID: rows then lie
    # clustered by scheme and account, so a run's updates (one scheme at a time, in account
    # order) walk the table once instead of looking each row up through a separate key
    # index. No index holds `tier` (migration 0012): a changed tier is then an in-place
    # (HOT) update on PostgreSQL, helped by the free space fillfactor leaves in each page.
    # No index on account_id either (migration 0016): an account's tiers are looked up by
    # key, one scheme at a time, and PostgreSQL's bulk update then uses the key as well.
    __table_args__ = (
        PrimaryKeyConstraint("scheme_id", "account_id"),
        {"sqlite_with_rowid": False, "postgresql_with": {"fillfactor": 85}},
    )
    # The identity stays (account_id, scheme_id): session.get(AccountTier, (account, scheme)).
    __mapper_args__ = {"primary_key": ["account_id", "scheme_id"]}

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id"))
    tier: Mapped[str] = mapped_column(String(60))
    pending_tier: Mapped[str | None] = mapped_column(String(60))
    pending_count: Mapped[int] = mapped_column(Integer, default=0)

    scheme: Mapped[TierScheme] = relationship()


class TierChange(db.Model):
    """Append-only history: an account moved from one tier to another.

    Its ids carry no foreign keys (migration 0011): a re-tier writes hundreds of thousands
    of rows whose references it has just read, and the keys were most of that write's
    time on PostgreSQL. Accounts, schemes and runs are never deleted.
    """

    __tablename__ = "tier_change"
    __table_args__ = (
        # By account alone (migration 0014): a timeline is a few rows, sorted after.
        Index("ix_tier_change_account_id", "account_id"),
        Index("ix_tier_change_scheme_at", "scheme_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    scheme_id: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(20))
    from_tier: Mapped[str | None] = mapped_column(String(60))
    to_tier: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[str] = mapped_column(String(20))  # rule, override, import
    scheme_version: Mapped[int | None] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")

    scheme: Mapped[TierScheme] = relationship(
        primaryjoin="foreign(TierChange.scheme_id) == TierScheme.id", viewonly=True
    )


class TierOverride(db.Model):
    """A manager pinned an account's tier, with a reason and an optional expiry."""

    __tablename__ = "tier_override"
    __table_args__ = (Index("ix_tier_override_account_scheme", "account_id", "scheme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id"))
    tier: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    scheme: Mapped[TierScheme] = relationship()
    created_by: Mapped[User | None] = relationship()
