"""Segment health (/metrics/) and the account's MRR, onboarding and health in a real Chromium."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from cstier.extensions import db
from cstier.services.account_health.scoring import score_accounts
from cstier.services.onboarding.check import check_onboarding
from cstier.services.setup import seed_workspace_defaults
from tests.factories import AccountFactory, UsageMetricFactory
from tests.integration.metrics.conftest import january_book, subscribe

pytestmark = pytest.mark.browser
TODAY = datetime.now(UTC).date()


def csp_violations(page) -> list[str]:
    """Collect the console's Content-Security-Policy complaints and page errors from now on."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_segment_health_period_split_cards_and_drill_down(
    page, signed_in, live_server, manager, csm, other_csm
):
    book = january_book(csm, other_csm)
    problems = csp_violations(page)
    signed_in(manager.email)
    page.goto(f"{live_server}/metrics/")
    form = page.locator("#period-form")
    form.locator("select[name=by]").select_option("value_tiers")
    form.locator("input[name=start]").fill("2026-01-01")
    form.locator("input[name=end]").fill("2026-02-01")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/metrics/?by=value_tiers&start=2026-01-01&end=2026-02-01")
    expect(page.locator("#period-basis")).to_contain_text("2026-01-01 – 2026-02-01")
    strategic = page.locator('#segment-table tr[data-segment="Strategic"]')
    expect(strategic).to_contain_text("GRR 66.7 %")  # (300 − 100) ÷ 300 of the cohort's MRR
    expect(page.locator('#segment-table tr[data-segment="Total"]')).to_contain_text("$")
    for rate in ("logo_churn", "grr", "nrr"):
        expect(page.locator(f"#trend-{rate}[data-drawn]")).to_have_count(1)
    # The onboarding funnel and the health distribution of the same split, loaded by htmx.
    expect(page.locator("#health-segments-basis")).to_contain_text("by value tier")
    expect(page.locator("#health-segments #onboarding-funnel")).to_contain_text("Onboarding")
    expect(page.locator("#health-segments #health-distribution")).to_contain_text("No scores yet")
    # A column's definition card: the label links to its card on the definitions page.
    page.locator("#segment-table thead a", has_text="Logo churn").click()
    page.wait_for_url("**/metrics/definitions#logo-churn")
    expect(page.locator("#logo-churn")).to_contain_text("Formula")
    expect(page.locator("#active-rule")).to_contain_text("end")
    page.go_back()
    # The Strategic segment's churned count lists the account that churned.
    strategic = page.locator('#segment-table tr[data-segment="Strategic"]')
    strategic.locator("td").nth(3).locator("a").click()
    page.wait_for_url("**/metrics/accounts?**measure=churned**")
    expect(page.locator("#members-count")).to_contain_text("1 accounts")
    expect(page.locator("#members")).to_contain_text("Churner")
    page.locator("#members a", has_text="Churner").click()
    page.wait_for_url(f"**/accounts/{book['Churner'].id}")
    assert problems == []


def test_account_page_draws_mrr_history_onboarding_and_health(
    page, signed_in, live_server, csm, db_session
):
    seed_workspace_defaults(db_session)
    db_session.commit()
    account = AccountFactory(
        name="Initech", csm=csm, lifecycle_stage="onboarding",
        contract_start_date=TODAY - timedelta(days=10), attributes={"nps": 9},
    )  # fmt: skip
    start = (TODAY.replace(day=1) - timedelta(days=200)).replace(day=1)
    subscribe(account, start.isoformat(), None, 500_00)
    subscribe(account, (TODAY - timedelta(days=40)).isoformat(), None, 250_00, "Add-on")
    UsageMetricFactory(account_id=account.id, period_start=TODAY - timedelta(days=40), value=30)
    db.session.commit()
    check_onboarding(db_session)
    score_accounts(db_session, datetime.now(UTC) - timedelta(days=7))
    score_accounts(db_session)
    problems = csp_violations(page)
    signed_in(csm.email)
    page.goto(f"{live_server}/accounts/{account.id}")
    expect(page.locator("#mrr-chart[data-drawn]")).to_have_count(1)
    series = page.locator("#mrr-chart").get_attribute("data-series")
    assert '"mrr": [' in series and "750.0" in series and "500.0" in series
    panel = page.locator("#health-panel")
    expect(panel.locator("#onboarding-status")).to_contain_text("started")
    expect(panel.locator("#onboarding-steps")).to_contain_text("Kickoff")
    expect(panel.locator("#health-score")).not_to_be_empty()
    contributions = panel.locator("#health-contributions")
    expect(contributions).to_contain_text("Usage level")
    expect(contributions).to_contain_text("NPS")
    expect(page.locator("#health-trend[data-drawn]")).to_have_count(1)
    assert problems == []


def test_an_account_without_subscriptions_has_no_mrr_chart(
    page, signed_in, live_server, csm, db_session
):
    account = AccountFactory(name="Hooli", csm=csm, contract_start_date=date(2025, 1, 1))
    db.session.commit()
    signed_in(csm.email)
    page.goto(f"{live_server}/accounts/{account.id}")
    expect(page.locator("h1")).to_contain_text("Hooli")
    expect(page.locator("#mrr-history")).to_have_count(0)
