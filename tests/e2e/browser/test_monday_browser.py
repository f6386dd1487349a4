"""The manager's Monday in Chromium, and the pages a manager opens on a phone."""

import pytest
from playwright.sync_api import expect

from tests.integration.dashboards.conftest import build_monday_book

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


def test_monday_loop_from_the_dashboard_to_two_handoffs(page, signed_in, live_server, story):
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
