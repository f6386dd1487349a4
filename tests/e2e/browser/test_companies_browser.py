"""Two browser tabs edit one company: the later save is refused and keeps its edits."""

import pytest
from playwright.sync_api import expect

from cstier.extensions import db
from cstier.models import Company
from tests.factories import CompanyFactory

pytestmark = pytest.mark.browser


def test_the_second_tab_to_save_sees_the_conflict_with_its_edits(
    page, signed_in, app, live_server, manager, db_session
):
    company = CompanyFactory(name="Initech")
    db_session.commit()
    signed_in(manager.email)
    edit_url = f"{live_server}/companies/{company.id}/edit"
    other = page.context.new_page()
    page.goto(edit_url)
    other.goto(edit_url)

    other.fill("input[name=name]", "Initech Theirs")
    other.click("input[type=submit]")
    expect(other.locator(".alert-success")).to_contain_text("Company Initech Theirs saved")
    page.fill("input[name=name]", "Initech Mine")
    page.click("input[type=submit]")

    expect(page.locator(".alert-danger")).to_contain_text("Someone else saved this company")
    expect(page.locator("input[name=name]")).to_have_value("Initech Mine")
    with app.app_context():
        assert db.session.get(Company, company.id).name == "Initech Theirs"
