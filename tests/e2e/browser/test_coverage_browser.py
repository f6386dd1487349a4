"""Bulk reassignment from a filtered account list, in a real Chromium."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, Handoff
from cstier.services.coverage.derive import derive_coverage
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory, UserFactory
from tests.integration.coverage.conftest import give_profile, set_tiers

pytestmark = pytest.mark.browser


@pytest.fixture
def book(db_session, csm, other_csm):
    ensure_default_schemes(db_session)
    ensure_default_coverage(db_session)
    db_session.commit()
    give_profile(csm, ["high_touch"])
    give_profile(other_csm, ["high_touch"])
    emea, apac = CompanyFactory(region="EMEA"), CompanyFactory(region="APAC")
    accounts = [
        AccountFactory(name="Globex Platform", company=emea, csm=csm),
        AccountFactory(name="Globex Analytics", company=emea, csm=csm),
        AccountFactory(name="Initech Core", company=apac, csm=csm),
    ]
    for account in accounts:
        set_tiers(account, "Strategic", "High")
    derive_coverage(db_session)
    db_session.commit()
    return {a.name: a.id for a in accounts}


def test_bulk_reassign_filtered_accounts(
    page, signed_in, live_server, app, manager, csm, other_csm, book
):
    signed_in(manager.email)
    page.goto(f"{live_server}/coverage/assign")
    page.select_option("#assign-filters select[name=region]", "EMEA")
    page.click("#apply-filters")
    rows = page.locator("#assign-table tbody tr")
    expect(rows).to_have_count(2)
    page.check("#check-all")
    page.select_option("#assign-form select[name=csm_id]", str(other_csm.id))
    page.fill("#assign-form input[name=reason]", "Rebalance EMEA")
    page.fill("#assign-form textarea[name=handoff_notes]", "Introduce Otto on the QBR")
    page.click("#assign-submit")
    expect(page.locator(".alert-success")).to_contain_text("Assigned 2 accounts")
    expect(page.locator("#assign-table")).to_contain_text(other_csm.name)
    assert "region=EMEA" in page.url
    with app.app_context(), Session(db.engine) as fresh:
        owners = {
            a.name: a.csm_id
            for a in fresh.scalars(select(Account).where(Account.id.in_(book.values())))
        }
        assert owners == {
            "Globex Platform": other_csm.id,
            "Globex Analytics": other_csm.id,
            "Initech Core": csm.id,
        }
        handoffs = fresh.scalars(select(Handoff)).all()
        assert len(handoffs) == 2 and all(h.notes == "Introduce Otto on the QBR" for h in handoffs)


def test_refused_bulk_assignment_shows_why(
    page, signed_in, live_server, app, manager, csm, other_csm, book
):
    give_profile(other_csm, ["pooled"])
    signed_in(manager.email)
    page.goto(f"{live_server}/coverage/assign?region=EMEA")
    page.check("#check-all")
    page.select_option("#assign-form select[name=csm_id]", str(other_csm.id))
    page.fill("#assign-form input[name=reason]", "Try")
    page.click("#assign-submit")
    expect(page.locator(".alert-danger")).to_contain_text("does not serve High-touch")
    expect(page.locator("input[name=pick]:checked")).to_have_count(2)  # the checks survive
    with app.app_context(), Session(db.engine) as fresh:
        assert {a.csm_id for a in fresh.scalars(select(Account))} == {csm.id}


def test_a_large_team_searches_the_csm_to_assign_on_the_account_page(
    page, signed_in, live_server, app, manager, csm, other_csm, book
):
    for n in range(300):  # past CSM_FILTER_OPTIONS: the panel's select lists only the owner
        UserFactory(role="csm", name=f"Bench CSM {n:03}", email=f"bench{n}@example.com")
    signed_in(manager.email)
    account_id = book["Globex Platform"]
    page.goto(f"{live_server}/accounts/{account_id}")
    panel = page.locator("#panel-assign")
    page.click("#coverage-panel summary")
    expect(panel.locator("select[name=csm_id] option")).to_have_count(2)  # none, the owner
    owner = page.locator("#coverage-owner").inner_text()
    panel.locator("input[name=csm_search]").fill("otto")
    panel.locator("input[name=csm_search]").press("Enter")  # searches; never submits
    expect(panel.locator("select[name=csm_id]")).to_have_value(str(other_csm.id))
    page.wait_for_timeout(300)
    expect(page.locator(".alert")).to_have_count(0)  # no assignment answered, nor refused
    expect(page.locator("#coverage-owner")).to_have_text(owner)
    panel.locator("input[name=reason]").fill("Rebalance")
    panel.locator("button").click()
    expect(page.locator("#coverage-owner")).to_have_text(other_csm.name)
    with app.app_context(), Session(db.engine) as fresh:
        assert fresh.get(Account, account_id).csm_id == other_csm.id
