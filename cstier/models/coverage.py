"""Coverage: engagement models, the value × needs matrix, CSM profiles, pools, assignments, handoffs."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import JSONType, VersionedMixin, utcnow
from cstier.models.users import User


class CoverageModel(VersionedMixin, db.Model):
    """How accounts are served: high-touch, pooled or tech-touch, with a target ratio."""

    __tablename__ = "coverage_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    motion: Mapped[str] = mapped_column(String(20))  # high_touch, pooled, tech_touch
    accounts_per_csm: Mapped[int] = mapped_column(Integer)
    arr_per_csm_cents: Mapped[int | None] = mapped_column(BigInteger)
    hard_limit_pct: Mapped[int] = mapped_column(Integer, default=125)
    cadence: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CoverageMatrix(VersionedMixin, db.Model):
    """The matrix as one editable thing: its single row's version guards every save of its cells."""

    __tablename__ = "coverage_matrix"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CoverageMatrixCell(db.Model):
    """One cell of the value tier × needs tier matrix, naming the coverage model."""

    __tablename__ = "coverage_matrix_cell"
    __table_args__ = (UniqueConstraint("value_tier", "needs_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value_tier: Mapped[str] = mapped_column(String(60))
    needs_tier: Mapped[str] = mapped_column(String(60))
    coverage_model_id: Mapped[int] = mapped_column(ForeignKey("coverage_model.id"))

    coverage_model: Mapped[CoverageModel] = relationship()


class CsmProfile(VersionedMixin, db.Model):
    """A CSM's capacity and fit: FTE, regions, verticals, languages, models served."""

    __tablename__ = "csm_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    fte: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1.00"))
    regions: Mapped[list] = mapped_column(JSONType, default=list)
    verticals: Mapped[list] = mapped_column(JSONType, default=list)
    languages: Mapped[list] = mapped_column(JSONType, default=list)
    coverage_model_keys: Mapped[list] = mapped_column(JSONType, default=list)

    user: Mapped[User] = relationship()


class Pool(VersionedMixin, db.Model):
    """A team sharing one book, for pooled and tech-touch coverage."""

    __tablename__ = "pool"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    coverage_model_id: Mapped[int] = mapped_column(ForeignKey("coverage_model.id"))
    member_ids: Mapped[list] = mapped_column(JSONType, default=list)

    coverage_model: Mapped[CoverageModel] = relationship()


class AccountCoverage(db.Model):
    """An account's derived coverage model, pool, and whether it needs a new owner."""

    __tablename__ = "account_coverage"
    # No index on coverage_model_id (migration 0015): a model holds a third of the book,
    # and without it a re-tier's model changes are in-place (HOT) updates on PostgreSQL.
    # No foreign key on it either (migration 0019): derive_coverage, the only code that sets
    # a model, takes the ids from matrix cells, which have one; no path deletes a model.
    # Nor on suggested_owner_id (0020): the suggester names existing CSMs, and users are
    # deactivated, never deleted.
    __table_args__ = ({"postgresql_with": {"fillfactor": 85}},)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    coverage_model_id: Mapped[int | None] = mapped_column(Integer)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pool.id"), index=True)
    needs_reassignment: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    suggested_owner_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coverage_model: Mapped[CoverageModel | None] = relationship(
        primaryjoin="foreign(AccountCoverage.coverage_model_id) == CoverageModel.id"
    )
    pool: Mapped[Pool | None] = relationship()


class CoverageChange(db.Model):
    """Append-only history of an account's coverage model.

    No foreign keys, like tier_change (migration 0011): a re-tier writes it in bulk.
    """

    __tablename__ = "coverage_change"
    # By run, then account, like tier_change (migration 0018).
    __table_args__ = (Index("ix_coverage_change_run_account", "run_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    from_model_id: Mapped[int | None] = mapped_column(Integer)
    to_model_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    run_id: Mapped[int | None] = mapped_column(Integer)


class AssignmentChange(db.Model):
    """Append-only history of who owns an account."""

    __tablename__ = "assignment_change"
    __table_args__ = (Index("ix_assignment_change_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    from_csm_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    to_csm_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    from_pool_id: Mapped[int | None] = mapped_column(ForeignKey("pool.id"))
    to_pool_id: Mapped[int | None] = mapped_column(ForeignKey("pool.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Handoff(VersionedMixin, db.Model):
    """A managed change of owner: from, to, due date, notes, done."""

    __tablename__ = "handoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    from_csm_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    to_csm_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    from_csm: Mapped[User | None] = relationship(foreign_keys=[from_csm_id])
    to_csm: Mapped[User | None] = relationship(foreign_keys=[to_csm_id])


# The handoffs list pages through the open ones by due date (migration 0048).
Index(
    "ix_handoff_open_due",
    Handoff.due_date,
    Handoff.id,
    postgresql_where=text("done_at IS NULL"),
    sqlite_where=text("done_at IS NULL"),
)


class CoverageMixSnapshot(db.Model):
    """Accounts, ARR, required CSMs and current FTE of a coverage model after a run."""

    __tablename__ = "coverage_mix_snapshot"

    run_id: Mapped[int] = mapped_column(ForeignKey("tiering_run.id"), primary_key=True)
    coverage_model_id: Mapped[int] = mapped_column(
        ForeignKey("coverage_model.id"), primary_key=True
    )
    accounts: Mapped[int] = mapped_column(Integer)
    arr_cents: Mapped[int] = mapped_column(BigInteger)
    required_csms: Mapped[int] = mapped_column(Integer)
    current_fte: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class OwnerModelTotal(db.Model):
    """Accounts and ARR (the field) per owner, coverage model and churned or not, stored by a run.

    Capacity and the manager's dashboard serve these while no "owners" BookChangeMark
    exists (services/page_totals.py, migration 0041); None is no owner or no model.
    """

    __tablename__ = "owner_model_total"

    id: Mapped[int] = mapped_column(primary_key=True)
    csm_id: Mapped[int | None] = mapped_column(Integer)
    coverage_model_id: Mapped[int | None] = mapped_column(Integer)
    churned: Mapped[bool] = mapped_column(Boolean)
    accounts: Mapped[int] = mapped_column(Integer)
    arr_cents: Mapped[int] = mapped_column(BigInteger)
