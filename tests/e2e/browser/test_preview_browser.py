"""A manager previews a scheme edit in a real Chromium: the job, its progress, the stored result."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.test_tiers_browser import LOWER_STRATEGIC, tiered_book  # noqa: F401
from tests.queue import work_queue

pytestmark = pytest.mark.browser


def see_the_preview_through(app, page) -> None:
    """Wait for the queued preview job, open its result and the moving accounts list."""
    expect(page.locator("#preview-job #job-state")).to_have_text("queued")
    work_queue(app)  # the scheduler process's worker; the panel polls until the job is done
    expect(page.locator("#job-state")).to_have_text("done")
    expect(page.locator("#job-message")).to_contain_text("1 of 2 accounts would change tier")
    page.click("#job-result")
    movement = page.locator("#movement tr.table-warning")
    expect(movement).to_contain_text("Growth")
    expect(movement).to_contain_text("Strategic")
    expect(page.locator("#preview-counts")).to_contain_text("1 of 2 accounts change tier")
    expect(page.locator("#preview-headcount")).to_be_visible()
    page.click("#open-moving")
    expect(page.locator("h1")).to_have_text("Accounts the draft would move")
    rows = page.locator("#moving-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Globex Mid")
    expect(rows).to_contain_text("Strategic")


def test_a_manager_previews_an_edit_in_the_json_editor(
    app,
    page,
    signed_in,
    live_server,
    manager,
    tiered_book,  # noqa: F811
):
    signed_in(manager.email)
    page.goto(f"{live_server}/tiers/schemes/{tiered_book['scheme_id']}")
    page.fill("#definition", json.dumps(LOWER_STRATEGIC, indent=2))
    page.click("input[name=preview]")
    expect(page.locator("#preview-job")).to_contain_text("Only admins save a new version.")
    expect(page.locator("input[name=save]")).to_have_count(0)
    see_the_preview_through(app, page)


def test_a_manager_previews_an_edit_in_the_rule_builder(
    app,
    page,
    signed_in,
    live_server,
    manager,
    tiered_book,  # noqa: F811
):
    signed_in(manager.email)
    page.goto(f"{live_server}/tiers/schemes/{tiered_book['scheme_id']}/builder")
    for name, value in {
        "bands-0-min": "90000",
        "bands-1-min": "40000",
        "bands-1-max": "90000",
        "bands-2-max": "40000",
    }.items():
        page.fill(f"input[name={name}]", value)
    page.click("button.btn-outline-primary[name=action][value=preview]")
    see_the_preview_through(app, page)


def test_a_bad_draft_is_refused_on_the_page_and_nothing_is_queued(
    app,
    page,
    signed_in,
    live_server,
    manager,
    tiered_book,  # noqa: F811
):
    signed_in(manager.email)
    page.goto(f"{live_server}/tiers/schemes/{tiered_book['scheme_id']}")
    page.fill("#definition", '{"dimension": "value",')
    page.click("input[name=preview]")
    expect(page.locator(".invalid-feedback")).to_contain_text("Not valid JSON")
    expect(page.locator("#preview-job")).to_have_count(0)
    assert work_queue(app) == 0
