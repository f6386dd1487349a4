"""Company pages over HTTP: forms with field errors, departments, contacts, hierarchy, list."""

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Company, Contact, Department
from tests.factories import AccountFactory, CompanyFactory, ContactFactory, DepartmentFactory

ROW_LINK = re.compile(r'<td><a href="/companies/(\d+)">([^<]+)</a>')


def listed_names(response) -> list[str]:
    return [name for _, name in ROW_LINK.findall(response.get_data(as_text=True))]


def stored_company(company_id: int) -> Company | None:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(Company, company_id)


def count(model) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(model.id)))


def company_form(**changes) -> dict:
    data = {
        "name": "Globex",
        "external_id": "CO-GLOBEX",
        "domain": "globex.example",
        "industry": "Manufacturing",
        "region": "NA",
        "country": "us",
        "employees": "1200",
        "annual_revenue": "5000000",
        "parent_id": "",
    }
    return data | changes


def test_manager_creates_a_company(client, auth, manager):
    auth.login(manager.email)
    assert client.get("/companies/new").status_code == 200

    response = client.post("/companies/new", data=company_form())

    assert response.status_code == 302
    with Session(db.engine) as fresh:
        company = fresh.scalars(select(Company).where(Company.external_id == "CO-GLOBEX")).one()
        assert (company.name, company.country, company.employees) == ("Globex", "US", 1200)
        assert company.annual_revenue_cents == 5_000_000_00
    assert response.location == f"/companies/{company.id}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"employees": "-3"}, "Cannot be negative."),
        ({"annual_revenue": "-1"}, "Cannot be negative."),
        ({"name": ""}, "This field is required."),
        ({"country": "USA"}, "Field must be exactly 2 characters long."),
        ({"employees": "many"}, "Not a valid integer value."),
        ({"external_id": "CO-TAKEN"}, "Another company already uses external id CO-TAKEN."),
    ],
    ids=["negative employees", "negative revenue", "no name", "long country", "nan", "taken id"],
)
def test_invalid_company_form_shows_field_error(client, auth, manager, changes, message):
    CompanyFactory(external_id="CO-TAKEN")
    auth.login(manager.email)

    response = client.post("/companies/new", data=company_form(**changes))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "invalid-feedback" in html
    assert count(Company) == 1


def test_manager_edits_a_company_and_sets_its_parent(client, auth, manager):
    parent = CompanyFactory(name="Parent Group")
    company = CompanyFactory(name="Subsidiary", employees=10)
    auth.login(manager.email)
    form = client.get(f"/companies/{company.id}/edit")
    assert form.status_code == 200
    assert 'value="Subsidiary"' in form.get_data(as_text=True)

    response = client.post(
        f"/companies/{company.id}/edit",
        data=company_form(
            name="Subsidiary",
            external_id=company.external_id,
            employees="25",
            parent_id=str(parent.id),
            version=str(company.version),
        ),
    )

    assert response.status_code == 302
    saved = stored_company(company.id)
    assert (saved.employees, saved.parent_id) == (25, parent.id)


def test_edit_refuses_a_cycle_with_a_field_error(client, auth, manager):
    parent = CompanyFactory(name="Parent Group")
    child = CompanyFactory(name="Child Co", parent=parent)
    auth.login(manager.email)

    response = client.post(
        f"/companies/{parent.id}/edit",
        data=company_form(
            name="Parent Group",
            external_id=parent.external_id,
            parent_id=str(child.id),
            version=str(parent.version),
        ),
    )

    assert response.status_code == 400
    assert "A company cannot be its own parent or ancestor." in response.get_data(as_text=True)
    assert stored_company(parent.id).parent_id is None


@pytest.mark.parametrize(
    "posted", [{"version": "1"}, {}, {"version": "v1"}], ids=["stale", "missing", "mangled"]
)
def test_a_stale_company_save_is_a_conflict_that_keeps_the_edits(client, auth, manager, posted):
    company = CompanyFactory(name="Initech", external_id="CO-INI")
    auth.login(manager.email)
    opened = client.get(f"/companies/{company.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in opened
    client.post(
        f"/companies/{company.id}/edit",
        data=company_form(name="Theirs", external_id="CO-INI", version="1"),
    )

    response = client.post(
        f"/companies/{company.id}/edit",
        data=company_form(name="My Edit", external_id="CO-INI", employees="77") | posted,
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this company after you opened it." in html
    assert 'value="My Edit"' in html and 'value="77"' in html
    saved = stored_company(company.id)
    assert (saved.name, saved.employees, saved.version) == ("Theirs", 1200, 2)


def test_breadcrumb_shows_the_parent_chain(client, auth, manager):
    top = CompanyFactory(name="Top Holding")
    middle = CompanyFactory(name="Middle Group", parent=top)
    leaf = CompanyFactory(name="Leaf Branch", parent=middle)
    auth.login(manager.email)

    html = client.get(f"/companies/{leaf.id}").get_data(as_text=True)

    crumbs = html.split('class="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r">([^<>]+)</a></li>", crumbs) == ["Companies", "Top Holding", "Middle Group"]
    assert '<li class="breadcrumb-item active">Leaf Branch</li>' in crumbs
    assert f'href="/companies/{middle.id}"' in crumbs


def test_add_department(client, auth, manager):
    company = CompanyFactory()
    auth.login(manager.email)

    response = client.post(
        f"/companies/{company.id}/departments", data={"name": "Finance", "external_id": "DE-FIN"}
    )

    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Department added." in page
    assert ">Finance</a></li>" in page
    with Session(db.engine) as fresh:
        dept = fresh.scalars(select(Department)).one()
        assert (dept.company_id, dept.external_id) == (company.id, "DE-FIN")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "external_id": "DE-1"}, "The department needs a name and an external id."),
        (
            {"name": "Ops", "external_id": "DE-TAKEN"},
            "Another department already uses external id DE-TAKEN.",
        ),
    ],
)
def test_bad_department_is_refused_with_a_message(client, auth, manager, data, message):
    company = CompanyFactory()
    DepartmentFactory(external_id="DE-TAKEN")
    auth.login(manager.email)

    response = client.post(f"/companies/{company.id}/departments", data=data, follow_redirects=True)

    assert message in response.get_data(as_text=True)
    assert count(Department) == 1


def contact_form(**changes) -> dict:
    data = {
        "name": "Pat Buyer",
        "external_id": "CT-PAT",
        "email": "pat@globex.example",
        "title": "CFO",
        "role": "economic_buyer",
        "department_id": "",
    }
    return data | changes


def test_add_contact_in_a_department(client, auth, manager):
    company = CompanyFactory()
    dept = DepartmentFactory(company=company, name="Finance")
    auth.login(manager.email)

    response = client.post(
        f"/companies/{company.id}/contacts",
        data=contact_form(department_id=str(dept.id)),
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    assert "Contact added." in html
    assert "<td>Pat Buyer</td>" in html
    with Session(db.engine) as fresh:
        contact = fresh.scalars(select(Contact)).one()
        assert (contact.company_id, contact.department_id, contact.role) == (
            company.id,
            dept.id,
            "economic_buyer",
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"role": "overlord"}, "Not a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_contact_is_refused_with_a_message(client, auth, manager, changes, message):
    company = CompanyFactory()
    auth.login(manager.email)

    response = client.post(
        f"/companies/{company.id}/contacts", data=contact_form(**changes), follow_redirects=True
    )

    assert message in response.get_data(as_text=True)
    assert count(Contact) == 0


def test_contact_in_another_companys_department_is_refused(client, auth, manager):
    company = CompanyFactory()
    foreign = DepartmentFactory()
    auth.login(manager.email)

    client.post(
        f"/companies/{company.id}/contacts", data=contact_form(department_id=str(foreign.id))
    )

    assert count(Contact) == 0


@pytest.mark.parametrize("role_fixture", ["viewer", "csm"])
def test_only_managers_change_companies(client, auth, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    company = CompanyFactory(name="Kept")
    AccountFactory(company=company, csm=user if role_fixture == "csm" else None)
    auth.login(user.email)

    assert client.get("/companies/new").status_code == 403
    assert client.post("/companies/new", data=company_form()).status_code == 403
    assert (
        client.post(f"/companies/{company.id}/edit", data=company_form(name="Changed")).status_code
        == 403
    )
    assert (
        client.post(
            f"/companies/{company.id}/departments", data={"name": "X", "external_id": "DE-X"}
        ).status_code
        == 403
    )
    assert stored_company(company.id).name == "Kept"
    assert (count(Company), count(Department)) == (1, 0)


@pytest.fixture
def companies_listed(db_session):
    specs = [
        ("Alpha Systems", "NA", "Software", 50),
        ("Bravo Foods", "EMEA", "Retail", 9000),
        ("Charlie Cloud", "EMEA", "Software", 700),
        ("Delta Mining", "APAC", "Mining", 3000),
    ]
    for name, region, industry, employees in specs:
        CompanyFactory(name=name, region=region, industry=industry, employees=employees)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha Systems", "Bravo Foods", "Charlie Cloud", "Delta Mining"]),
        ("region=EMEA", ["Bravo Foods", "Charlie Cloud"]),
        ("industry=Software", ["Alpha Systems", "Charlie Cloud"]),
        ("q=cloud", ["Charlie Cloud"]),
        ("region=EMEA&industry=Software", ["Charlie Cloud"]),
        (
            "sort=employees&dir=desc",
            ["Bravo Foods", "Delta Mining", "Charlie Cloud", "Alpha Systems"],
        ),
        ("sort=name&dir=desc", ["Delta Mining", "Charlie Cloud", "Bravo Foods", "Alpha Systems"]),
    ],
)
def test_company_list_filters_and_sorts(client, auth, manager, companies_listed, query, expected):
    auth.login(manager.email)
    response = client.get(f"/companies/?{query}")
    assert response.status_code == 200
    assert listed_names(response) == expected


def test_csm_lists_only_companies_in_their_book(client, auth, csm, other_csm, db_session):
    mine, theirs = CompanyFactory(name="Mine Co"), CompanyFactory(name="Theirs Co")
    AccountFactory(company=mine, csm=csm)
    AccountFactory(company=theirs, csm=other_csm)
    auth.login(csm.email)

    assert listed_names(client.get("/companies/")) == ["Mine Co"]
    assert client.get(f"/companies/{theirs.id}").status_code == 404


def stored(model, pk: int):
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(model, pk)


def contact_edit_form(contact, **changes) -> dict:
    data = {
        "name": contact.name,
        "external_id": contact.external_id,
        "email": contact.email or "",
        "title": contact.title or "",
        "role": contact.role,
        "department_id": str(contact.department_id or ""),
        "version": str(contact.version),
    }
    return data | changes


def test_manager_edits_a_department_and_a_contact_from_the_company_page(client, auth, manager):
    dept = DepartmentFactory(name="Ops", external_id="DE-OPS")
    contact = ContactFactory(company=dept.company, name="Pat")
    auth.login(manager.email)
    page = client.get(f"/companies/{dept.company_id}").get_data(as_text=True)
    dept_url = f"/companies/{dept.company_id}/departments/{dept.id}/edit"
    contact_url = f"/companies/{dept.company_id}/contacts/{contact.id}/edit"
    assert dept_url in page and contact_url in page

    renamed = client.post(
        dept_url, data={"name": "Operations", "external_id": "DE-OPS", "version": "1"}
    )
    moved = client.post(
        contact_url, data=contact_edit_form(contact, title="CFO", department_id=str(dept.id))
    )

    assert (renamed.status_code, moved.status_code) == (302, 302)
    assert (stored(Department, dept.id).name, stored(Department, dept.id).version) == (
        "Operations",
        2,
    )
    saved = stored(Contact, contact.id)
    assert (saved.title, saved.department_id, saved.version) == ("CFO", dept.id, 2)


def test_a_stale_department_or_contact_save_is_a_conflict_that_keeps_the_edits(
    client, auth, manager
):
    dept = DepartmentFactory(name="Ops", external_id="DE-OPS")
    contact = ContactFactory(company=dept.company, name="Pat")
    auth.login(manager.email)
    dept_url = f"/companies/{dept.company_id}/departments/{dept.id}/edit"
    contact_url = f"/companies/{dept.company_id}/contacts/{contact.id}/edit"
    assert 'name="version" type="hidden" value="1"' in client.get(dept_url).get_data(as_text=True)
    client.post(dept_url, data={"name": "Theirs", "external_id": "DE-OPS", "version": "1"})
    client.post(contact_url, data=contact_edit_form(contact, title="Theirs"))

    late_dept = client.post(
        dept_url, data={"name": "Mine", "external_id": "DE-OPS", "version": "1"}
    )
    late_contact = client.post(
        contact_url, data=contact_edit_form(contact, title="My title", version="1")
    )

    assert (late_dept.status_code, late_contact.status_code) == (409, 409)
    assert "Someone else saved this department" in late_dept.get_data(as_text=True)
    assert 'value="Mine"' in late_dept.get_data(as_text=True)
    assert 'value="My title"' in late_contact.get_data(as_text=True)
    assert stored(Department, dept.id).name == "Theirs"
    assert stored(Contact, contact.id).title == "Theirs"


def test_a_department_or_contact_of_another_company_is_404(client, auth, manager):
    dept = DepartmentFactory()
    contact = ContactFactory()
    other = CompanyFactory()
    auth.login(manager.email)

    assert client.get(f"/companies/{other.id}/departments/{dept.id}/edit").status_code == 404
    assert client.get(f"/companies/{other.id}/contacts/{contact.id}/edit").status_code == 404


def test_a_contact_cannot_move_to_another_companys_department(client, auth, manager):
    contact = ContactFactory(title="Before")
    elsewhere = DepartmentFactory()
    auth.login(manager.email)

    response = client.post(
        f"/companies/{contact.company_id}/contacts/{contact.id}/edit",
        data=contact_edit_form(contact, title="After", department_id=str(elsewhere.id)),
    )

    assert response.status_code == 400
    assert stored(Contact, contact.id).title == "Before"
