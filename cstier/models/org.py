"""Who the customer is: companies with their hierarchy, departments and contacts."""

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cstier.extensions import db
from cstier.models.base import TimestampMixin, VersionedMixin


class Company(VersionedMixin, TimestampMixin, db.Model):
    """A customer company, optionally the subsidiary of a parent company."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    region: Mapped[str | None] = mapped_column(String(50), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue_cents: Mapped[int | None] = mapped_column(BigInteger)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)

    parent: Mapped["Company | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Company"]] = relationship(back_populates="parent")
    departments: Mapped[list["Department"]] = relationship(
        back_populates="company", order_by="Department.name"
    )
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="company", order_by="Contact.name"
    )

    def __repr__(self) -> str:
        return f"<Company {self.external_id} {self.name!r}>"


class Department(VersionedMixin, TimestampMixin, db.Model):
    """A department or business unit inside a company."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    company: Mapped[Company] = relationship(back_populates="departments")
    contacts: Mapped[list["Contact"]] = relationship(back_populates="department")


class Contact(VersionedMixin, TimestampMixin, db.Model):
    """A person at the customer, with the role they play in the buying group."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), default="end_user")

    company: Mapped[Company] = relationship(back_populates="contacts")
    department: Mapped[Department | None] = relationship(back_populates="contacts")
