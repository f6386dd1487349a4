"""Companies, their hierarchy, departments and contacts."""

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from cstier.domain.customer import CONTACT_ROLES
from cstier.domain.permissions import Actor, can_manage_book, sees_whole_book
from cstier.models import Account, Company, Contact, Department
from cstier.services import audit
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write

COMPANY_FIELDS = (
    "external_id",
    "name",
    "domain",
    "industry",
    "region",
    "country",
    "employees",
    "annual_revenue_cents",
    "parent_id",
)

DEPARTMENT_FIELDS = ("external_id", "name")
CONTACT_FIELDS = ("external_id", "name", "email", "title", "role", "department_id")

SORTS = {
    "name": Company.name,
    "industry": Company.industry,
    "region": Company.region,
    "employees": Company.employees,
}


@dataclass
class CompanyFilter:
    """What the company list is narrowed to and sorted by."""

    q: str | None = None
    region: str | None = None
    industry: str | None = None
    sort: str = "name"
    descending: bool = False


def _visible(stmt: Select, actor: Actor) -> Select:
    """A CSM sees the companies behind the accounts in their book."""
    if sees_whole_book(actor):
        return stmt
    in_book = exists().where(Account.company_id == Company.id, Account.csm_id == actor.user_id)
    return stmt.where(in_book)


def list_query(actor: Actor, flt: CompanyFilter) -> Select:
    """Build the filtered, sorted company query with account counts and ARR."""
    accounts = (
        select(
            Account.company_id,
            func.count(Account.id).label("accounts"),
            func.sum(Account.arr_cents).label("arr_cents"),
        )
        .group_by(Account.company_id)
        .subquery()
    )
    stmt = select(
        Company,
        func.coalesce(accounts.c.accounts, 0).label("accounts"),
        func.coalesce(accounts.c.arr_cents, 0).label("arr_cents"),
    ).outerjoin(accounts, accounts.c.company_id == Company.id)
    stmt = _visible(stmt, actor)
    if flt.q:
        like = f"%{flt.q.strip()}%"
        stmt = stmt.where(
            or_(
                Company.name.ilike(like),
                Company.external_id.ilike(like),
                Company.domain.ilike(like),
            )
        )
    if flt.region:
        stmt = stmt.where(Company.region == flt.region)
    if flt.industry:
        stmt = stmt.where(Company.industry == flt.industry)
    column = accounts.c.arr_cents if flt.sort == "arr" else SORTS.get(flt.sort, Company.name)
    order = column.desc() if flt.descending else column.asc()
    return stmt.order_by(order.nulls_last(), Company.id)


@dataclass(frozen=True)
class CompanyPage:
    """One page of the company list and how many companies match in all."""

    rows: list
    total: int


def list_page(
    session: Session, actor: Actor, flt: CompanyFilter, page_no: int, per_page: int
) -> CompanyPage:
    """Count the visible companies matching the filter and read one page of them."""
    stmt = list_query(actor, flt)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(per_page).offset((page_no - 1) * per_page)).all()
    return CompanyPage(list(rows), int(total or 0))


def get_company(session: Session, actor: Actor, company_id: int) -> Company:
    """Return a company the actor may see, or raise NotFound."""
    company = session.scalar(_visible(select(Company).where(Company.id == company_id), actor))
    if company is None:
        raise NotFound(f"No company with id {company_id}.")
    return company


def ancestry(company: Company) -> list[Company]:
    """Return the chain of parents, top-level company first."""
    chain, seen, node = [], set(), company.parent
    while node is not None and node.id not in seen:
        seen.add(node.id)
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def _validate_company(session: Session, values: dict, company_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    external_id = values.get("external_id")
    clash = session.scalar(select(Company.id).where(Company.external_id == external_id))
    if clash and clash != company_id:
        errors["external_id"] = [f"Another company already uses external id {external_id}."]
    if (values.get("employees") or 0) < 0:
        errors["employees"] = ["Employees cannot be negative."]
    if (values.get("annual_revenue_cents") or 0) < 0:
        errors["annual_revenue"] = ["Annual revenue cannot be negative."]
    parent_id = values.get("parent_id")
    if parent_id:
        parent = session.get(Company, parent_id)
        if parent is None:
            errors["parent_id"] = ["Choose an existing parent company."]
        elif company_id is not None and (
            parent_id == company_id or company_id in {c.id for c in ancestry(parent)}
        ):
            errors["parent_id"] = ["A company cannot be its own parent or ancestor."]
    if errors:
        raise ValidationFailed("The company was not saved.", errors)


def create_company(session: Session, actor: Actor, values: dict) -> Company:
    """Create a company (managers only) and audit it."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit companies.")
        _validate_company(session, values, None)
        company = Company(**values)
        session.add(company)
        session.flush()
        _audit(session, actor, "company", company, COMPANY_FIELDS, None)
    return company


def update_company(
    session: Session, actor: Actor, company_id: int, values: dict, expected_version: int
) -> Company:
    """Change a company (managers only) if nobody saved it since `expected_version`; audit it."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit companies.")
        company = get_company(session, actor, company_id)
        check_version(company, expected_version, "company")
        _validate_company(
            session, {**audit.snapshot(company, COMPANY_FIELDS), **values}, company_id
        )
        _apply_edit(session, actor, "company", company, COMPANY_FIELDS, values)
    return company


def _apply_edit(
    session: Session, actor: Actor, entity_type: str, entity, fields: tuple, values: dict
) -> None:
    """Set the values through the version-checked UPDATE, and audit before and after."""
    before = audit.snapshot(entity, fields)
    # A unique external id taken by a save that committed after our check is a concurrent edit.
    with guarded_write(session, entity_type, key_race=True):
        for name, value in values.items():
            setattr(entity, name, value)
    _audit(session, actor, entity_type, entity, fields, before)


def _audit(
    session: Session, actor: Actor, entity_type: str, entity, fields: tuple, before: dict | None
) -> None:
    audit.record(
        session,
        actor_id=actor.user_id,
        entity_type=entity_type,
        entity_id=entity.id,
        action="create" if before is None else "update",
        before=before,
        after=audit.snapshot(entity, fields),
    )


def add_department(
    session: Session, actor: Actor, company_id: int, name: str, external_id: str
) -> Department:
    """Add a department to a company."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit companies.")
        company = get_company(session, actor, company_id)
        if session.scalar(select(Department.id).where(Department.external_id == external_id)):
            raise ValidationFailed(
                "The department was not saved.",
                {"external_id": [f"Another department already uses external id {external_id}."]},
            )
        dept = Department(company_id=company.id, name=name, external_id=external_id)
        session.add(dept)
    return dept


def add_contact(session: Session, actor: Actor, company_id: int, values: dict) -> Contact:
    """Add a contact to a company, optionally in one of its departments."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit companies.")
        company = get_company(session, actor, company_id)
        errors = _contact_errors(session, values, company.id)
        external_id = values.get("external_id")
        if session.scalar(select(Contact.id).where(Contact.external_id == external_id)):
            errors["external_id"] = [f"Another contact already uses external id {external_id}."]
        if errors:
            raise ValidationFailed("The contact was not saved.", errors)
        contact = Contact(company_id=company.id, **values)
        session.add(contact)
    return contact


def get_department(session: Session, company_id: int, department_id: int) -> Department:
    """Return one of a company's departments, or raise NotFound."""
    dept = session.get(Department, department_id)
    if dept is None or dept.company_id != company_id:
        raise NotFound(f"No department with id {department_id} in this company.")
    return dept


def get_contact(session: Session, company_id: int, contact_id: int) -> Contact:
    """Return one of a company's contacts, or raise NotFound."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        raise NotFound(f"No contact with id {contact_id} in this company.")
    return contact


def update_department(
    session: Session, actor: Actor, department_id: int, values: dict, expected_version: int
) -> Department:
    """Rename a department or change its external id if nobody saved it in between."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit companies.")
        dept = session.get(Department, department_id)
        if dept is None:
            raise NotFound(f"No department with id {department_id}.")
        get_company(session, actor, dept.company_id)
        check_version(dept, expected_version, "department")
        external_id = values.get("external_id")
        clash = session.scalar(select(Department.id).where(Department.external_id == external_id))
        if external_id and clash and clash != dept.id:
            raise ValidationFailed(
                "The department was not saved.",
                {"external_id": [f"Another department already uses external id {external_id}."]},
            )
        _apply_edit(session, actor, "department", dept, DEPARTMENT_FIELDS, values)
    return dept


def update_contact(
    session: Session, actor: Actor, contact_id: int, values: dict, expected_version: int
) -> Contact:
    """Change a contact if nobody saved it in between; its department stays in its company."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit companies.")
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"No contact with id {contact_id}.")
        get_company(session, actor, contact.company_id)
        check_version(contact, expected_version, "contact")
        merged = {**audit.snapshot(contact, CONTACT_FIELDS), **values}
        errors = _contact_errors(session, merged, contact.company_id)
        clash = session.scalar(
            select(Contact.id).where(Contact.external_id == merged["external_id"])
        )
        if clash and clash != contact.id:
            errors["external_id"] = [
                f"Another contact already uses external id {merged['external_id']}."
            ]
        if errors:
            raise ValidationFailed("The contact was not saved.", errors)
        _apply_edit(session, actor, "contact", contact, CONTACT_FIELDS, values)
    return contact


def _contact_errors(session: Session, values: dict, company_id: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values.get("role") not in CONTACT_ROLES:
        errors["role"] = [f"Role must be one of {', '.join(CONTACT_ROLES)}."]
    dept_id = values.get("department_id")
    if dept_id:
        dept = session.get(Department, dept_id)
        if dept is None or dept.company_id != company_id:
            errors["department_id"] = ["The department must belong to this company."]
    return errors


def company_choices(session: Session, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Return (id, name) pairs for company dropdowns."""
    stmt = select(Company.id, Company.name).order_by(Company.name)
    return [(cid, name) for cid, name in session.execute(stmt) if cid != exclude_id]


def departments_of(session: Session, company_id: int) -> list[Department]:
    """Return a company's departments, for an account's department choice."""
    return list(session.scalars(select(Department).where(Department.company_id == company_id)))


def contacts_of(session: Session, company_id: int) -> list[Contact]:
    """Return a company's contacts, for an account's contact choice."""
    return list(session.scalars(select(Contact).where(Contact.company_id == company_id)))
