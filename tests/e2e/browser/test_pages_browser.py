"""The main pages under the content security policy, in a real Chromium: no violation, charts drawn, htmx and the check-all box working."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.services.coverage.derive import derive_coverage
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.coverage.conftest import give_profile
from tests.queue import work_queue

pytestmark = pytest.mark.browser

TIERED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # in week 2026-W02

# Each page and the canvases its charts are drawn on.
CHART_PAGES = {
    "/": ["#tier-mix-chart", "#tier-arr-chart"],
    "/reports/trends": ["canvas[data-chart=weekly-moves]", "#coverage-trend-chart"],
    "/tiers/": ["canvas.tier-chart"],
    "/reports/tier-review?week=2026-W02": ["#moves-chart"],
    "/coverage/capacity": ["#headcount-chart", "#load-chart"],
    "/tiers/suggest?features=arr&k=2": ["#suggest-chart"],  # a bar chart
    "/tiers/suggest?features=arr&features=employees&k=2": ["#suggest-chart"],  # a scatter
}


@pytest.fixture
def tiered_book(db_session, csm):
    """Accounts in two regions, tiered in 2026-W02 and covered, one CSM owning them."""
    ensure_default_coverage(db_session)
    ensure_default_schemes(db_session)  # as setting the workspace up does
    db_session.commit()
    give_profile(csm, ["high_touch", "pooled"])
    emea, apac = CompanyFactory(region="EMEA"), CompanyFactory(region="APAC")
    accounts = [
        AccountFactory(name="Globex Platform", company=emea, csm=csm, arr_cents=300_000_00),
        AccountFactory(name="Initech Core", company=apac, csm=csm, arr_cents=20_000_00),
        AccountFactory(name="Initech Edge", company=apac, csm=csm, arr_cents=25_000_00),
        AccountFactory(name="Globex Data", company=emea, csm=csm, arr_cents=280_000_00),
    ]
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=TIERED_AT)  # stores the trend's mix
    derive_coverage(db_session)
    db_session.commit()
    return accounts


@pytest.fixture
def violations(page):
    """Collect every console report of a blocked script or style, and every script error."""
    seen: list[str] = []

    def console(message) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


@pytest.mark.parametrize(("path", "canvases"), list(CHART_PAGES.items()))
def test_chart_pages_draw_without_csp_violations(
    page, signed_in, live_server, manager, tiered_book, violations, path, canvases
):
    signed_in(manager.email)
    page.goto(f"{live_server}{path}")
    for selector in canvases:
        canvas = page.locator(selector).first
        expect(canvas).to_be_visible()
        drawn = canvas.evaluate(
            "c => window.Chart !== undefined && Chart.getChart(c) !== undefined"
        )
        assert drawn, f"no chart on {selector} at {path}"
    assert violations == []


def test_htmx_panel_loads_and_check_all_ticks_every_row(
    page, signed_in, live_server, manager, tiered_book, violations
):
    signed_in(manager.email)
    page.goto(f"{live_server}/accounts/{tiered_book[0].id}")
    expect(page.locator("[hx-trigger=load]")).to_have_count(0)  # htmx swapped the panel in
    page.goto(f"{live_server}/coverage/assign")
    page.check("#check-all")
    picks = page.locator("input[name=pick]")
    expect(picks.first).to_be_checked()
    assert all(box.is_checked() for box in picks.all())
    assert violations == []


def test_an_exported_workbook_reimports_through_the_upload_page(
    app, page, signed_in, live_server, manager, tiered_book, violations, tmp_path
):
    signed_in(manager.email)
    page.goto(f"{live_server}/imports/")
    with page.expect_download() as download:
        page.click("a[href='/imports/export/accounts.xlsx']")
    workbook = tmp_path / "accounts.xlsx"
    download.value.save_as(workbook)
    page.select_option("select[name=kind]", "accounts")
    page.set_input_files("input[name=file]", str(workbook))
    page.click("input[type=submit][name=submit]")
    expect(page.locator("select[name=map-0]")).to_be_visible()
    page.click("input[name=preview]")
    expect(page.locator("body")).to_contain_text("Would create")
    page.click("input[name=apply]")
    expect(page.locator("#job-state")).to_have_text("queued")
    work_queue(app)  # the scheduler process's worker; the page polls until the job is done
    expect(page.locator("#job-message")).to_contain_text("4 unchanged")
    assert violations == []
