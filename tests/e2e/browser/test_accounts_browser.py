"""Sign in, filter the account list and edit an account in a real Chromium."""

import pytest
from playwright.sync_api import expect

from cstier.extensions import db
from cstier.models import Account, AuditLog
from tests.factories import AccountFactory, CompanyFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def book(db_session, csm):
    emea = CompanyFactory(name="Globex", region="EMEA")
    apac = CompanyFactory(name="Initech", region="APAC")
    AccountFactory(name="Globex Platform", company=emea, lifecycle_stage="active", csm=csm)
    AccountFactory(name="Globex Analytics", company=emea, lifecycle_stage="at_risk", csm=csm)
    AccountFactory(name="Initech Core", company=apac, lifecycle_stage="active")
    db_session.commit()


def test_login_shows_dashboard(page, signed_in, manager, book):
    signed_in(manager.email)
    expect(page.locator("h1")).to_contain_text("Monday")
    expect(page.locator("#kpi-needs-new-owner")).to_have_text("0")


def test_wrong_password_shows_message(page, live_server, manager):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", manager.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("input[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("Wrong email or password")


def test_filter_account_list(page, signed_in, manager, book):
    signed_in(manager.email)
    page.click("text=Accounts")
    expect(page.locator("#account-table tbody tr")).to_have_count(3)
    page.select_option("select[name=region]", "EMEA")
    page.select_option("select[name=lifecycle_stage]", "at_risk")
    page.click("#apply-filters")
    rows = page.locator("#account-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Globex Analytics")
    assert "region=EMEA" in page.url


def test_edit_account_is_saved_and_audited(page, signed_in, app, csm, book):
    signed_in(csm.email)
    page.click("text=Accounts")
    page.click("text=Globex Platform")
    page.click("#edit-account")
    page.fill("input[name=arr]", "312000")
    page.select_option("select[name=lifecycle_stage]", "at_risk")
    page.click("#account-form input[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Account saved")
    expect(page.locator("#account-arr")).to_have_text("$312,000")
    expect(page.locator("#audit-log")).to_contain_text("arr_cents")
    with app.app_context():
        account = db.session.scalar(db.select(Account).filter_by(name="Globex Platform"))
        assert account.arr_cents == 312_000_00
        assert account.lifecycle_stage == "at_risk"
        entry = db.session.scalar(db.select(AuditLog).filter_by(entity_id=account.id))
        assert entry.user_id == csm.id
