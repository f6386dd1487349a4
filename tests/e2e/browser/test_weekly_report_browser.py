"""The weekly report page in Chromium: charts drawn under the CSP, and it fits a phone."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.services.tiering.run import run_tiering
from cstier.services.weekly_report import build_weekly_report
from tests.e2e.browser.test_pages_browser import tiered_book, violations  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_report_draws_its_charts_and_fits_a_phone(
    page,
    signed_in,
    live_server,
    manager,
    tiered_book,  # noqa: F811
    violations,  # noqa: F811
    db_session,
):
    # A first tiering is no move: one account grows and moves within the week.
    tiered_book[1].arr_cents = 120_000_00
    db_session.commit()
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=datetime(2026, 1, 7, 9, tzinfo=UTC))
    build_weekly_report(db_session, "2026-W02", datetime(2026, 1, 20, tzinfo=UTC))
    signed_in(manager.email)
    page.goto(f"{live_server}/reports/weekly/")
    page.click("a[href='/reports/weekly/2026-W02']")
    for selector in ("#moves-chart", "#load-chart"):
        canvas = page.locator(selector)
        expect(canvas).to_be_visible()
        assert canvas.evaluate("c => window.Chart !== undefined && Chart.getChart(c) !== undefined")
    page.set_viewport_size(PHONE)
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    assert violations == []
