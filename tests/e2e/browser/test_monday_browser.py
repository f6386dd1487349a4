"""The manager's Monday in Chromium, and the pages a manager opens on a phone."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import TierScheme
from tests.e2e.browser.test_imports_browser import CRM
from tests.e2e.browser.test_tiers_browser import LOWER_STRATEGIC
from tests.integration.dashboards.conftest import build_monday_book
from tests.queue import work_queue

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PHONE_PAGES = [
    "/tiers/",
    "/alerts",
    "/coverage/",
    "/imports/",
    "/reports/tier-review?week=2026-W10",
]


@pytest.fixture
def story(db_session, manager):
    return build_monday_book(db_session)


def test_monday_loop_from_the_dashboard_to_a_preview_and_an_import(
    app, page, signed_in, live_server, story, tmp_path
):
    manager_page = signed_in("manager@example.com")
    expect(manager_page.locator("#kpi-needs-new-owner")).to_have_text("3")

    page.click("#kpi-needs-new-owner")
    expect(page.locator("h1")).to_have_text("Needs a new owner")
    expect(page.locator("#worklist-table tbody tr")).to_have_count(3)
    page.check(f"#worklist-{story.falling.id} input[name=pick]")
    page.check(f"#worklist-{story.rising.id} input[name=pick]")
    page.click("input[name=accept_selected]")

    expect(page.locator(".alert-success")).to_contain_text(
        "Reassigned 2 accounts, opened 2 handoffs."
    )
    expect(page.locator("#worklist-table tbody tr")).to_have_count(1)
    page.goto(f"{live_server}/")
    expect(page.locator("#kpi-open-handoffs")).to_have_text("2")
    page.click("#kpi-open-handoffs")
    for name in ("Falling", "Rising"):
        expect(page.locator("main")).to_contain_text(name)

    # What if Strategic started at 90,000? Falling (100,000) would go back up.
    value_id = db.session.scalar(select(TierScheme.id).where(TierScheme.key == "value_tiers"))
    page.goto(f"{live_server}/tiers/schemes/{value_id}")
    page.fill("#definition", json.dumps(LOWER_STRATEGIC, indent=2))
    page.click("input[name=preview]")
    expect(page.locator("#preview-job #job-state")).to_have_text("queued")
    work_queue(app)  # the scheduler process's worker; the panel polls until the job is done
    expect(page.locator("#job-state")).to_have_text("done")
    page.click("#job-result")
    expect(page.locator("#movement tr.table-warning").first).to_contain_text("Strategic")
    expect(page.locator("#preview-coverage")).to_be_visible()
    page.click("#open-moving")
    expect(page.locator("#moving-table")).to_contain_text("Falling")

    # Last, this week's CRM export, taken with its own headers.
    export = tmp_path / "crm-export.csv"
    export.write_text(CRM, encoding="utf-8")
    page.goto(f"{live_server}/imports/")
    page.select_option("select[name=kind]", "accounts")
    page.set_input_files("input[name=file]", str(export))
    page.click("#upload-form input[type=submit]")
    expect(page.locator("h1")).to_have_text("Map columns")
    expect(page.locator("select[name=map-0]")).to_have_value("external_id")
    expect(page.locator("select[name=map-2]")).to_have_value("arr")
    page.click("#mapping-fills summary")
    page.fill("input[name=fill-unit_type]", "company")
    page.fill("input[name=fill-lifecycle_stage]", "active")
    page.select_option("select[name=date_format]", "DMY")
    page.check("input[name=companies]")
    page.click("input[name=preview]")
    expect(page.locator("#import-counts")).to_contain_text("Would create")
    page.click("input[name=apply]")
    work_queue(app)
    expect(page.locator("#job-message")).to_contain_text("Imported 2 rows: 2 created")


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_on_a_phone_tables_scroll_in_their_box_and_buttons_stay_on_screen(
    page, signed_in, live_server, story, path
):
    page.set_viewport_size(PHONE)
    signed_in("manager@example.com")
    page.goto(f"{live_server}{path}")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    offscreen = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .btn, main input[type=submit]')]
              .filter(b => b.offsetParent !== null && !b.closest('.table-responsive'))
              .filter(b => b.getBoundingClientRect().right > window.innerWidth + 0.5)
              .map(b => b.textContent.trim() || b.value)"""
    )
    assert offscreen == []
