"""Requests the app must refuse cleanly: missing CSRF token, oversized body, unknown ids."""

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, Company, LoginAttempt
from tests.conftest import make_app
from tests.factories import PASSWORD, AccountFactory, CompanyFactory

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def other_app(app, database_url, instance_path, **overrides):
    """Yield a second app on the test database; `app` keeps the schema and the cleanup."""
    variant = make_app(database_url, instance_path, **overrides)
    yield variant
    with variant.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(app, database_url, instance_path):
    yield from other_app(app, database_url, instance_path, WTF_CSRF_ENABLED=True)


@pytest.fixture
def small_app(app, database_url, instance_path):
    yield from other_app(app, database_url, instance_path, MAX_CONTENT_LENGTH=1024)


def csrf_token(client, path: str) -> str:
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def count(model) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(model.id)))


def test_login_without_csrf_token_is_refused(csrf_app, manager):
    client = csrf_app.test_client()

    response = client.post("/login", data={"email": manager.email, "password": PASSWORD})

    assert response.status_code == 400
    assert b"The form expired or was not sent from cstier" in response.data
    assert count(LoginAttempt) == 0
    assert client.get("/").status_code == 302  # still signed out


def test_login_with_csrf_token_works(csrf_app, manager):
    client = csrf_app.test_client()
    token = csrf_token(client, "/login")

    response = client.post(
        "/login", data={"email": manager.email, "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
def test_edit_without_a_valid_csrf_token_changes_nothing(csrf_app, manager, token):
    account = AccountFactory(plan="Pro")
    client = csrf_app.test_client()
    login_token = csrf_token(client, "/login")
    client.post(
        "/login", data={"email": manager.email, "password": PASSWORD, "csrf_token": login_token}
    )
    data = {
        "name": account.name,
        "external_id": account.external_id,
        "unit_type": "company",
        "company_id": str(account.company_id),
        "lifecycle_stage": account.lifecycle_stage,
        "arr": "1",
        "plan": "Hijacked",
        "version": str(account.version),
    }
    if token:
        data["csrf_token"] = token

    response = client.post(f"/accounts/{account.id}/edit", data=data)

    assert response.status_code == 400
    assert b"Reload the page and submit again" in response.data
    with Session(db.engine) as fresh:
        assert fresh.get(Account, account.id).plan == "Pro"


def test_body_over_the_size_limit_is_413(small_app, manager):
    company = CompanyFactory()
    client = small_app.test_client()
    assert (
        client.post("/login", data={"email": manager.email, "password": PASSWORD}).status_code
        == 302
    )
    response = client.post(
        "/accounts/new",
        data={
            "name": "Huge",
            "external_id": "AC-HUGE",
            "company_id": str(company.id),
            "upload": (BytesIO(b"x" * 4096), "big.csv"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert b"The upload is over the size limit." in response.data
    assert count(Account) == 0


def test_body_under_the_size_limit_is_read(small_app, manager):
    company = CompanyFactory()
    client = small_app.test_client()
    client.post("/login", data={"email": manager.email, "password": PASSWORD})

    response = client.post(
        "/accounts/new",
        data={
            "name": "Small",
            "external_id": "AC-SMALL",
            "unit_type": "company",
            "company_id": str(company.id),
            "lifecycle_stage": "onboarding",
            "csm_id": "",
        },
    )

    assert response.status_code == 302
    assert count(Account) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/999999",
        "/accounts/999999/edit",
        "/companies/999999",
        "/companies/999999/edit",
        "/accounts/not-a-number",
        "/no-such-page",
    ],
)
def test_unknown_addresses_give_the_404_page(client, auth, manager, path):
    auth.login(manager.email)
    response = client.get(path)
    assert response.status_code == 404
    assert b"There is nothing at this address, or it is not in your book." in response.data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("renewal_date", "31/12/2026", "Not a valid date value."),
        ("arr", "lots", "Not a valid decimal value."),
        ("company_id", "abc", "This field is required."),
        ("company_id", "999999", "Not a valid choice."),
        ("csm_id", "999999", "Not a valid choice."),
    ],
)
def test_malformed_account_values_are_field_errors(
    client, auth, manager, db_session, field, value, message
):
    company = CompanyFactory()
    auth.login(manager.email)
    data = {
        "name": "Odd",
        "external_id": "AC-ODD",
        "unit_type": "company",
        "company_id": str(company.id),
        "lifecycle_stage": "onboarding",
        "csm_id": "",
        field: value,
    }

    response = client.post("/accounts/new", data=data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Account) == 0


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/accounts/new", "arr", "Infinity"),
        ("/accounts/new", "arr", "1e20"),
        ("/companies/new", "annual_revenue", "1e20"),
        ("/companies/new", "employees", "3000000000"),
    ],
)
def test_out_of_range_numbers_are_field_errors_not_crashes(
    client, auth, manager, db_session, path, field, value
):
    company = CompanyFactory()
    auth.login(manager.email)
    data = {
        "name": "Huge",
        "external_id": "XX-HUGE",
        "unit_type": "company",
        "company_id": str(company.id),
        "lifecycle_stage": "onboarding",
        "csm_id": "",
        "region": "",
        "parent_id": "",
        field: value,
    }

    response = client.post(path, data=data)

    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert (count(Account), count(Company)) == (0, 1)


@pytest.mark.parametrize(
    "path, form",
    [
        ("/companies/new", {"name": "Acme\x00", "external_id": "C-NUL"}),
        ("/login", {"email": "a\x00@example.com", "password": PASSWORD}),
        ("/companies/new", {"name\x00": "Acme", "external_id": "C-NUL"}),
    ],
    ids=["in a value", "in the sign-in form", "in a field name"],
)
def test_a_nul_character_in_a_form_is_a_400_and_saves_nothing(client, auth, manager, path, form):
    auth.login(manager.email)

    response = client.post(path, data=form)

    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count(Company.id))) == 0
