"""Accounts: the unit that is tiered and served."""

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import JSONType, TimestampMixin, VersionedMixin
from cstier.models.org import Company, Contact, Department
from cstier.models.users import User


class Account(TimestampMixin, db.Model):
    """A customer account: a company, department or decision maker, with its ARR and owner."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    unit_type: Mapped[str] = mapped_column(String(20), default="company")
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    csm_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    arr_cents: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    plan: Mapped[str | None] = mapped_column(String(50))
    # Not indexed: four stages of about a quarter each, so filters scan anyway, and large
    # imports would rebuild it for nothing.
    lifecycle_stage: Mapped[str] = mapped_column(String(20), default="onboarding")
    contract_start_date: Mapped[date | None] = mapped_column(Date)
    renewal_date: Mapped[date | None] = mapped_column(Date, index=True)
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)

    company: Mapped[Company] = relationship()
    department: Mapped[Department | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    csm: Mapped[User | None] = relationship()

    # Optimistic locking: an UPDATE whose version no longer matches raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    @property
    def arr(self) -> float:
        """Return ARR in currency units for display."""
        return (self.arr_cents or 0) / 100

    def __repr__(self) -> str:
        return f"<Account {self.external_id} {self.name!r}>"


class CustomAttribute(VersionedMixin, TimestampMixin, db.Model):
    """The definition of a typed custom attribute carried in Account.attributes."""

    __tablename__ = "custom_attribute"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    data_type: Mapped[str] = mapped_column(String(10))  # text, number, boolean, date, choice
    category: Mapped[str] = mapped_column(String(20), default="behavioural")
    choices: Mapped[list] = mapped_column(JSONType, default=list)


# Search matches any part of a name or external id (services/accounts.py): trigram indexes
# answer it on PostgreSQL (migration 0036); SQLite has none and scans.
for _column in ("name", "external_id"):
    Index(
        f"ix_account_{_column}_trgm",
        func.lower(getattr(Account, _column)).label(f"{_column}_lower"),
        postgresql_using="gin",
        postgresql_ops={f"{_column}_lower": "gin_trgm_ops"},
    )

# Loads per CSM sum the owned accounts only (migration 0039): on PostgreSQL the index holds
# id and ARR too, so the sums read no table rows.
Index(
    "ix_account_owned_book",
    Account.csm_id,
    postgresql_include=["id", "arr_cents"],
    postgresql_where=text("csm_id IS NOT NULL"),
    sqlite_where=text("csm_id IS NOT NULL"),
)
