"""Tier schemes (versioned), current tiers per account, their history, runs and overrides."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import JSONType, VersionedMixin, utcnow
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


class TierBlock(db.Model):
    """The current tiers of BLOCK_SIZE consecutive account ids in one scheme, packed.

    A re-tier compares every account's proposed tier with its stored one and changes a few
    percent of them, spread over the whole book. Kept as one row per account and scheme,
    reading them was slow and the scattered updates rewrote nearly every page of the table;
    packed, a scheme is a few rows of at most 128 KB, read and written whole (migration
    0017, store/tier_blocks.py).

    `tiers` holds one little-endian uint16 code per account id from block * BLOCK_SIZE on:
    0 is no tier, k the k-th of `tier_names`. A pending move of a scheme damped by runs is
    `pending` (codes, same names) with its consecutive-run `pending_counts`; both are NULL
    in a block without one. Trailing accounts without a tier are not stored.
    Why an account holds its tier is the latest tier_change row, written in the same
    transaction (services/tiering/history.py).
    """

    __tablename__ = "tier_block"

    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id"), primary_key=True)
    block: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tier_names: Mapped[list] = mapped_column(JSONType)
    tiers: Mapped[bytes] = mapped_column(LargeBinary)
    pending: Mapped[bytes | None] = mapped_column(LargeBinary)
    pending_counts: Mapped[bytes | None] = mapped_column(LargeBinary)


class CurrentTier(db.Model):
    """An account's current tier in one scheme, as plain rows SQL can read (migration 0025).

    The store writes it with the tier blocks, in the same transaction and with the changes
    only (store/tier_blocks.py), so the two never disagree; the blocks stay the runs' fast
    read. The view `current_tiers` adds each scheme's key, dimension and name for analysts.
    """

    __tablename__ = "current_tier"
    # Scheme, tier, account: a list filtered by one tier reads its holders in account order.
    # Without rowid on SQLite: rows live in the primary key's tree, one tree fewer to update.
    __table_args__ = (
        Index("ix_current_tier_scheme_tier_account", "scheme_id", "tier", "account_id"),
        {"sqlite_with_rowid": False},
    )

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(60))


class TierChange(db.Model):
    """Append-only history: an account moved from one tier to another.

    Its ids carry no foreign keys (migration 0011): a re-tier writes hundreds of thousands
    of rows whose references it has just read, and the keys were most of that write's
    time on PostgreSQL. Accounts, schemes and runs are never deleted.
    """

    __tablename__ = "tier_change"
    __table_args__ = (
        # By run, then account (migration 0018): a run appends its rows at the index's
        # right edge, and an account's timeline probes it once per run.
        Index("ix_tier_change_run_account", "run_id", "account_id"),
        Index("ix_tier_change_scheme_at", "scheme_id", "at"),
        # A CSM's tier review probes their accounts for the week (migration 0043).
        Index("ix_tier_change_account_at", "account_id", "at"),
        # The alerts list, newest first: moves only (migration 0036); first tierings never show.
        Index(
            "ix_tier_change_moves_at",
            "at",
            "id",
            postgresql_where=text("from_tier IS NOT NULL"),
            sqlite_where=text("from_tier IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    scheme_id: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(20))
    from_tier: Mapped[str | None] = mapped_column(String(60))
    to_tier: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    run_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # rule, override, import
    scheme_version: Mapped[int | None] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")
    # The scheme's input values that decided a run's move, as a JSON object (migration 0033).
    inputs: Mapped[str | None] = mapped_column(Text)

    scheme: Mapped[TierScheme] = relationship(
        primaryjoin="foreign(TierChange.scheme_id) == TierScheme.id", viewonly=True
    )

    # Not stored: why the account moved, set by services/tiering/history.timeline.
    cause = ""


class TierOverride(VersionedMixin, db.Model):
    """A manager pinned an account's tier, with a reason and an optional expiry."""

    __tablename__ = "tier_override"
    __table_args__ = (
        Index("ix_tier_override_account_scheme", "account_id", "scheme_id"),
        # The list of overrides expiring soon walks the unrevoked ones by expiry (0048).
        Index(
            "ix_tier_override_unrevoked_expiry",
            "expires_at",
            "id",
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )

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


class TierMixSnapshot(db.Model):
    """How many accounts and how much ARR each tier of a scheme held after a run.

    `up` and `down` count the run's moves into the tier from a lower or a higher one, with
    the ARR they carried; first tierings are not moves.
    """

    __tablename__ = "tier_mix_snapshot"

    run_id: Mapped[int] = mapped_column(ForeignKey("tiering_run.id"), primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(60), primary_key=True)
    accounts: Mapped[int] = mapped_column(Integer)
    arr_cents: Mapped[int] = mapped_column(BigInteger)
    up: Mapped[int] = mapped_column(Integer, default=0)
    down: Mapped[int] = mapped_column(Integer, default=0)
    arr_up_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    arr_down_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class TierTotal(db.Model):
    """Accounts and current ARR one tier of a scheme held in the whole book, stored by a run.

    `day` is the UTC day its current ARR is for. The tier page serves these while no
    BookChangeMark exists and the day is today (services/tiering/tier_totals.py).
    """

    __tablename__ = "tier_total"

    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("tier_scheme.id", ondelete="CASCADE"), primary_key=True
    )
    tier: Mapped[str] = mapped_column(String(60), primary_key=True)
    accounts: Mapped[int] = mapped_column(Integer)
    arr_cents: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)


class RenewalTotal(db.Model):
    """Accounts and ARR of one tier renewing on one day, stored by a run (migration 0049).

    A row with no renewal_date marks a scheme as stored even when nothing renews; `day` is
    when it was stored: rows cover renewals from that day on, for RENEWAL_TOTAL_DAYS.
    """

    __tablename__ = "renewal_total"
    __table_args__ = (Index("ix_renewal_total_scheme_date", "scheme_id", "renewal_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("tier_scheme.id", ondelete="CASCADE"))
    tier: Mapped[str | None] = mapped_column(String(60))
    renewal_date: Mapped[date | None] = mapped_column(Date)
    accounts: Mapped[int] = mapped_column(Integer)
    arr_cents: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)


class BookChangeMark(db.Model):
    """A write that may have changed one kind of stored totals since they were stored.

    Database triggers add it (migration 0041): `totals` is "tiers" (TierTotal) or "owners"
    (OwnerModelTotal). Storing a kind deletes its marks first (services/page_totals.py).
    """

    __tablename__ = "book_change_mark"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    totals: Mapped[str] = mapped_column(String(20), index=True)
