"""The account's health panel and the health page in a real Chromium: charts, forms, CSRF."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Touch
from cstier.services.account_health.scoring import score_accounts
from cstier.services.onboarding.check import check_onboarding
from cstier.services.setup import seed_workspace_defaults
from tests.factories import AccountFactory, UsageMetricFactory

pytestmark = pytest.mark.browser
TODAY = datetime.now(UTC).date()


@pytest.fixture
def account(db_session, csm):
    seed_workspace_defaults(db_session)
    db_session.commit()
    account = AccountFactory(
        name="Globex", csm=csm, lifecycle_stage="onboarding",
        contract_start_date=TODAY - timedelta(days=10), attributes={"nps": 9},
    )  # fmt: skip
    UsageMetricFactory(account_id=account.id, period_start=TODAY - timedelta(days=40), value=30)
    check_onboarding(db_session)
    score_accounts(db_session, datetime.now(UTC) - timedelta(days=7))
    score_accounts(db_session)
    return account


def test_account_health_panel_draws_and_logs_a_touch(
    page, signed_in, live_server, app, csm, account
):
    signed_in(csm.email)
    page.goto(f"{live_server}/accounts/{account.id}")
    panel = page.locator("#health-panel")
    expect(panel.locator("#health-contributions")).to_contain_text("Usage level")
    expect(panel.locator("#onboarding-steps")).to_contain_text("Kickoff")
    # the trend chart in the htmx fragment is drawn once it settles
    expect(page.locator("#health-trend[data-drawn]")).to_have_count(1)
    page.select_option("#touch-form select[name=kind]", "qbr")
    page.fill("#touch-form input[name=occurred_on]", TODAY.isoformat())
    page.fill("#touch-form textarea[name=note]", "Quarterly review")
    page.click("#touch-form button")
    expect(page.locator(".alert-success")).to_contain_text("Touch logged")
    expect(page.locator("#touch-log")).to_contain_text("Quarterly review")
    with app.app_context(), Session(db.engine) as fresh:
        assert fresh.query(Touch).count() == 1


def test_health_page_shows_segments(page, signed_in, live_server, manager, account):
    signed_in(manager.email)
    page.goto(f"{live_server}/health/?by=csm")
    expect(page.locator("#health-distribution")).to_contain_text("All accounts")
    expect(page.locator("#bands-chart[data-drawn]")).to_have_count(1)
    expect(page.locator("#onboarding-funnel")).to_contain_text("All accounts")
    expect(page.locator("#health-backtest")).to_contain_text("Not enough history")
