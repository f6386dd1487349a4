"""Edit a tier scheme in a real Chromium: preview the movement, save it, re-tier, see the result."""

import json

import pytest
from playwright.sync_api import expect

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.tiering.defaults import VALUE_TIERS
from cstier.models import TierScheme
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory
from tests.queue import work_queue

pytestmark = pytest.mark.browser

LOWER_STRATEGIC = {**VALUE_TIERS, "bands": [
    {"tier": "Strategic", "min": 90_000}, {"tier": "Growth", "min": 40_000, "max": 90_000},
    {"tier": "Scale", "max": 40_000},
]}  # fmt: skip


@pytest.fixture
def tiered_book(db_session):
    """Two accounts tiered by the default schemes: Big is Strategic, Mid is Growth."""
    ensure_default_schemes(db_session)  # as setting the workspace up does
    company = CompanyFactory(name="Globex", employees=5000)
    AccountFactory(name="Globex Big", company=company, arr_cents=300_000_00)
    mid = AccountFactory(name="Globex Mid", company=company, arr_cents=100_000_00)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli")
    scheme = db_session.scalar(db_session.query(TierScheme).filter_by(key="value_tiers").statement)
    return {"scheme_id": scheme.id, "mid_id": mid.id}


def test_edit_preview_save_and_retier(app, page, signed_in, live_server, admin, tiered_book):
    signed_in(admin.email)
    page.goto(f"{live_server}/tiers/schemes/{tiered_book['scheme_id']}")
    expect(page.locator("#definition")).to_contain_text('"Strategic"')
    page.fill("#definition", json.dumps(LOWER_STRATEGIC, indent=2))
    page.click("input[name=preview]")
    expect(page.locator("#preview-job #job-state")).to_have_text("queued")
    work_queue(app)  # the preview job; the panel polls until it is done
    expect(page.locator("#preview-job #job-message")).to_contain_text(
        "1 of 2 accounts would change tier"
    )
    result = page.locator("#preview-job #job-result").get_attribute("href")
    page.click("input[name=save]")  # the draft is still in the editor
    expect(page.locator(".alert-success")).to_contain_text("Saved version 2")
    page.goto(f"{live_server}{result}")
    movement = page.locator("#movement tr.table-warning")
    expect(movement).to_contain_text("Growth")
    expect(movement).to_contain_text("Strategic")
    page.goto(f"{live_server}/tiers/")
    page.click("#run-form input[name=run]")
    expect(page.locator("#job-state")).to_have_text("queued")
    work_queue(app)  # the scheduler process's worker; the page polls until the job is done
    expect(page.locator("#job-state")).to_have_text("done")
    expect(page.locator("#job-message")).to_contain_text("2 accounts, 1 changes")
    page.click("#job-result")
    expect(page.locator("tr[id^=run-]").first).to_be_visible()
    page.goto(f"{live_server}/accounts/{tiered_book['mid_id']}")
    tiers = page.locator("#account-tiers")
    expect(tiers).to_contain_text("ARR 100,000 ≥ 90,000 → Strategic")
    expect(page.locator("#tier-timeline")).to_contain_text("Growth → Strategic")
