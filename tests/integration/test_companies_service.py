"""Company service against the database: hierarchy, departments, contacts, CSM visibility."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import AuditLog, Company, Contact, Department
from cstier.services import companies
from cstier.services.companies import COMPANY_FIELDS, CompanyFilter
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from tests.factories import (
    AccountFactory,
    CompanyFactory,
    ContactFactory,
    DepartmentFactory,
    UserFactory,
)


def actor(user) -> Actor:
    return Actor(user_id=user.id, role=user.role)


def company_values(company: Company, **changes) -> dict:
    """Return the company's current field values, with some changed (as the edit form sends)."""
    return {name: getattr(company, name) for name in COMPANY_FIELDS} | changes


def stored_parent(company_id: int) -> int | None:
    with Session(db.engine) as fresh:
        return fresh.get(Company, company_id).parent_id


def count(model) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(model.id)))


@pytest.fixture
def family(db_session):
    """Holding → Regional → Local, each the parent of the next."""
    holding = CompanyFactory(name="Holding")
    regional = CompanyFactory(name="Regional", parent=holding)
    local = CompanyFactory(name="Local", parent=regional)
    return holding, regional, local


def test_ancestry_lists_parents_from_the_top(family):
    holding, regional, local = family
    assert companies.ancestry(local) == [holding, regional]
    assert companies.ancestry(regional) == [holding]
    assert companies.ancestry(holding) == []


def test_create_company_makes_a_subsidiary_and_audits_it(family, manager):
    holding, _, _ = family
    values = {"external_id": "CO-NEW", "name": "New Sub", "parent_id": holding.id, "employees": 12}

    created = companies.create_company(db.session, actor(manager), values)

    assert stored_parent(created.id) == holding.id
    assert companies.ancestry(created) == [holding]
    with Session(db.engine) as fresh:
        entry = fresh.scalars(select(AuditLog).where(AuditLog.entity_type == "company")).one()
    assert (entry.action, entry.user_id, entry.entity_id) == ("create", manager.id, created.id)
    assert entry.after["parent_id"] == holding.id


@pytest.mark.parametrize(
    ("moved", "new_parent"),
    [(0, 0), (0, 1), (0, 2), (1, 2), (1, 1)],
    ids=["self", "child", "grandchild", "middle under its child", "middle as itself"],
)
def test_a_company_cannot_become_its_own_ancestor(family, manager, moved, new_parent):
    company, parent = family[moved], family[new_parent]
    parents_before = [stored_parent(c.id) for c in family]

    with pytest.raises(ValidationFailed) as excinfo:
        companies.update_company(
            db.session,
            actor(manager),
            company.id,
            company_values(company, parent_id=parent.id),
            company.version,
        )

    assert "parent_id" in excinfo.value.errors
    db.session.rollback()
    assert [stored_parent(c.id) for c in family] == parents_before


def test_moving_a_company_under_an_unrelated_parent_is_allowed(family, manager):
    _, regional, _ = family
    other = CompanyFactory(name="Other Group")
    companies.update_company(
        db.session,
        actor(manager),
        regional.id,
        company_values(regional, parent_id=other.id),
        regional.version,
    )
    assert stored_parent(regional.id) == other.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"employees": -1}, "employees"),
        ({"annual_revenue_cents": -100}, "annual_revenue"),
        ({"external_id": "CO-TAKEN"}, "external_id"),
        ({"parent_id": 999_999}, "parent_id"),
    ],
)
def test_invalid_company_is_not_saved(db_session, manager, changes, field):
    CompanyFactory(external_id="CO-TAKEN")
    before = count(Company)
    values = {"external_id": "CO-FRESH", "name": "Fresh"} | changes
    with pytest.raises(ValidationFailed) as excinfo:
        companies.create_company(db.session, actor(manager), values)
    assert field in excinfo.value.errors
    db.session.rollback()
    assert count(Company) == before


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_managers_save_companies(db_session, role):
    user = UserFactory(role=role)
    with pytest.raises(Forbidden):
        companies.create_company(db.session, actor(user), {"external_id": "CO-X", "name": "X"})
    db.session.rollback()
    assert count(Company) == 0


def test_add_department(db_session, manager):
    company = CompanyFactory()
    dept = companies.add_department(db.session, actor(manager), company.id, "Finance", "DE-FIN")
    with Session(db.engine) as fresh:
        saved = fresh.get(Department, dept.id)
        assert (saved.company_id, saved.name, saved.external_id) == (
            company.id,
            "Finance",
            "DE-FIN",
        )


def test_add_department_with_duplicate_external_id_is_refused(db_session, manager):
    company = CompanyFactory()
    DepartmentFactory(external_id="DE-TAKEN")
    with pytest.raises(ValidationFailed) as excinfo:
        companies.add_department(db.session, actor(manager), company.id, "Ops", "DE-TAKEN")
    assert "external_id" in excinfo.value.errors
    db.session.rollback()
    assert count(Department) == 1


def test_add_department_to_unknown_company_is_not_found(db_session, manager):
    with pytest.raises(NotFound):
        companies.add_department(db.session, actor(manager), 999_999, "Ops", "DE-1")


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_managers_add_departments_and_contacts(db_session, role):
    user = UserFactory(role=role)
    company = CompanyFactory()
    AccountFactory(company=company, csm=user if role == "csm" else None)
    with pytest.raises(Forbidden):
        companies.add_department(db.session, actor(user), company.id, "Ops", "DE-1")
    with pytest.raises(Forbidden):
        companies.add_contact(
            db.session,
            actor(user),
            company.id,
            {"name": "Pat", "external_id": "CT-1", "role": "champion"},
        )
    db.session.rollback()
    assert (count(Department), count(Contact)) == (0, 0)


def test_add_contact_in_a_department(db_session, manager):
    company = CompanyFactory()
    dept = DepartmentFactory(company=company)
    values = {
        "name": "Pat Buyer",
        "external_id": "CT-PAT",
        "email": "pat@acme.example",
        "title": "CFO",
        "role": "economic_buyer",
        "department_id": dept.id,
    }
    contact = companies.add_contact(db.session, actor(manager), company.id, values)
    with Session(db.engine) as fresh:
        saved = fresh.get(Contact, contact.id)
        assert (saved.company_id, saved.department_id, saved.role) == (
            company.id,
            dept.id,
            "economic_buyer",
        )


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("unknown role", "role"),
        ("foreign department", "department_id"),
        ("taken id", "external_id"),
    ],
)
def test_invalid_contact_is_not_saved(db_session, manager, case, field):
    company = CompanyFactory()
    ContactFactory(external_id="CT-TAKEN")
    foreign = DepartmentFactory()
    values = {"name": "Pat", "external_id": "CT-NEW", "role": "champion"}
    values |= {
        "unknown role": {"role": "overlord"},
        "foreign department": {"department_id": foreign.id},
        "taken id": {"external_id": "CT-TAKEN"},
    }[case]
    before = count(Contact)

    with pytest.raises(ValidationFailed) as excinfo:
        companies.add_contact(db.session, actor(manager), company.id, values)

    assert field in excinfo.value.errors
    db.session.rollback()
    assert count(Contact) == before


@pytest.fixture
def two_books(db_session, csm, other_csm):
    mine = CompanyFactory(name="Mine Inc")
    theirs = CompanyFactory(name="Theirs Inc")
    unowned = CompanyFactory(name="Nobody Inc")
    AccountFactory(company=mine, csm=csm)
    AccountFactory(company=theirs, csm=other_csm)
    AccountFactory(company=unowned, csm=None)
    return mine, theirs, unowned


def listed(acting, flt: CompanyFilter | None = None) -> list[str]:
    stmt = companies.list_query(acting, flt or CompanyFilter())
    return [row[0].name for row in db.session.execute(stmt)]


def test_csm_sees_only_companies_with_accounts_in_their_book(two_books, csm):
    mine, theirs, unowned = two_books
    assert listed(actor(csm)) == ["Mine Inc"]
    assert companies.get_company(db.session, actor(csm), mine.id).id == mine.id
    for hidden in (theirs, unowned):
        with pytest.raises(NotFound):
            companies.get_company(db.session, actor(csm), hidden.id)


@pytest.mark.parametrize("role_fixture", ["manager", "viewer", "admin"])
def test_everyone_but_a_csm_sees_every_company(two_books, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert listed(actor(user)) == ["Mine Inc", "Nobody Inc", "Theirs Inc"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (CompanyFilter(q="mine"), ["Mine Inc"]),
        (CompanyFilter(sort="name", descending=True), ["Theirs Inc", "Nobody Inc", "Mine Inc"]),
        (CompanyFilter(sort="arr", descending=True), ["Theirs Inc", "Mine Inc", "Nobody Inc"]),
    ],
)
def test_company_list_filters_and_sorts(db_session, manager, csm, flt, expected):
    for name, arr in (("Mine Inc", 20_00), ("Theirs Inc", 90_00), ("Nobody Inc", 5_00)):
        AccountFactory(company=CompanyFactory(name=name), csm=csm, arr_cents=arr)
    assert listed(actor(manager), flt) == expected


def stored(model, pk: int):
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(model, pk)


def test_update_department_and_contact_bump_their_versions_and_audit(db_session, manager):
    dept = DepartmentFactory(name="Ops")
    other = DepartmentFactory(company=dept.company, name="Finance")
    contact = ContactFactory(company=dept.company, department=dept)

    companies.update_department(db.session, actor(manager), dept.id, {"name": "Operations"}, 1)
    companies.update_contact(
        db.session, actor(manager), contact.id, {"title": "VP", "department_id": other.id}, 1
    )

    assert (stored(Department, dept.id).name, stored(Department, dept.id).version) == (
        "Operations",
        2,
    )
    saved = stored(Contact, contact.id)
    assert (saved.title, saved.department_id, saved.version) == ("VP", other.id, 2)
    with Session(db.engine) as fresh:
        entries = fresh.scalars(select(AuditLog.entity_type).order_by(AuditLog.id)).all()
    assert entries == ["department", "contact"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"department_id": "elsewhere"}, "department_id"),
        ({"department_id": 999_999}, "department_id"),
        ({"external_id": "CT-TAKEN"}, "external_id"),
    ],
)
def test_invalid_contact_edit_is_not_saved(db_session, manager, changes, field):
    contact = ContactFactory(title="Before")
    ContactFactory(external_id="CT-TAKEN")
    if changes.get("department_id") == "elsewhere":
        changes = {"department_id": DepartmentFactory().id}
    with pytest.raises(ValidationFailed) as excinfo:
        companies.update_contact(
            db.session, actor(manager), contact.id, {"title": "After", **changes}, 1
        )
    assert field in excinfo.value.errors
    db.session.rollback()
    assert (stored(Contact, contact.id).title, stored(Contact, contact.id).version) == ("Before", 1)


def test_a_department_cannot_take_a_used_external_id(db_session, manager):
    dept = DepartmentFactory(external_id="DE-MINE")
    DepartmentFactory(external_id="DE-TAKEN")
    with pytest.raises(ValidationFailed) as excinfo:
        companies.update_department(
            db.session, actor(manager), dept.id, {"external_id": "DE-TAKEN"}, 1
        )
    assert "external_id" in excinfo.value.errors
    db.session.rollback()
    assert stored(Department, dept.id).external_id == "DE-MINE"


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_managers_edit_departments_and_contacts(db_session, role):
    user = UserFactory(role=role)
    contact = ContactFactory(department=DepartmentFactory())
    AccountFactory(company=contact.company, csm=user if role == "csm" else None)
    with pytest.raises(Forbidden):
        companies.update_department(
            db.session, actor(user), contact.department_id, {"name": "X"}, 1
        )
    with pytest.raises(Forbidden):
        companies.update_contact(db.session, actor(user), contact.id, {"name": "X"}, 1)


@pytest.mark.parametrize("update", [companies.update_department, companies.update_contact])
def test_editing_an_unknown_department_or_contact_is_not_found(db_session, manager, update):
    with pytest.raises(NotFound):
        update(db.session, actor(manager), 999_999, {"name": "X"}, 1)
