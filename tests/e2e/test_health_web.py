"""Health pages over HTTP: the account panel and its forms, the segment page, the editors."""

from datetime import UTC, datetime, timedelta

import pytest

from cstier.extensions import db
from cstier.models import AccountOnboarding, HealthOverride, OnboardingMilestone, Scorecard, Touch
from cstier.services.account_health.scoring import score_accounts
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.onboarding.check import check_onboarding
from cstier.services.setup import seed_workspace_defaults
from tests.factories import AccountFactory, UsageMetricFactory

TODAY = datetime.now(UTC).date()


@pytest.fixture
def book(db_session, csm):
    seed_workspace_defaults(db.session)
    ensure_default_coverage(db.session)
    db.session.commit()
    account = AccountFactory(
        name="Globex", csm=csm, lifecycle_stage="onboarding",
        contract_start_date=TODAY - timedelta(days=10), attributes={"nps": 8},
    )  # fmt: skip
    UsageMetricFactory(
        account_id=account.id, period_start=TODAY.replace(day=1) - timedelta(days=40)
    )
    check_onboarding(db.session)
    score_accounts(db.session, datetime.now(UTC) - timedelta(days=8))
    score_accounts(db.session)
    return account


def test_account_panel_explains_the_score(client, auth, csm, book):
    auth.login(csm.email)
    page = client.get(f"/accounts/{book.id}").get_data(as_text=True)
    assert f"/health/accounts/{book.id}/panel" in page
    panel = client.get(f"/health/accounts/{book.id}/panel").get_data(as_text=True)
    assert 'id="health-contributions"' in panel and "Usage level" in panel
    assert 'id="health-since"' in panel and 'data-chart="health-trend"' in panel
    assert "Kickoff" in panel and 'id="touch-form"' in panel


def test_log_touch_and_refusals(client, auth, csm, book):
    auth.login(csm.email)
    url = f"/health/accounts/{book.id}/touches"
    ok = client.post(url, data={"kind": "qbr", "occurred_on": TODAY.isoformat(), "note": "QBR"})
    assert ok.status_code == 302 and db.session.query(Touch).count() == 1
    for data in (
        {"kind": "lunch", "occurred_on": TODAY.isoformat()},
        {"kind": "call", "occurred_on": "31/12/2026"},
        {"kind": "call", "occurred_on": (TODAY + timedelta(days=2)).isoformat()},
    ):
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)
    assert db.session.query(Touch).count() == 1


def test_complete_milestone_from_the_page(client, auth, csm, book):
    auth.login(csm.email)
    url = f"/health/accounts/{book.id}/milestones"
    early = (TODAY - timedelta(days=30)).isoformat()
    response = client.post(
        url, data={"key": "kickoff", "completed_on": early}, follow_redirects=True
    )
    assert "before the onboarding started" in response.get_data(as_text=True)
    assert db.session.query(OnboardingMilestone).count() == 0
    client.post(url, data={"key": "kickoff", "completed_on": TODAY.isoformat()})
    assert db.session.query(OnboardingMilestone).one().plan_milestone == "kickoff"
    db.session.expire_all()
    assert db.session.get(AccountOnboarding, book.id).status == "on_track"


def test_override_is_for_managers(client, auth, csm, manager, book):
    auth.login(csm.email)
    data = {"band": "green", "reason": "Exec sponsor"}
    assert client.post(f"/health/accounts/{book.id}/override", data=data).status_code == 403
    auth.logout()
    auth.login(manager.email)
    client.post(f"/health/accounts/{book.id}/override", data=data)
    assert db.session.query(HealthOverride).one().band == "green"


def test_health_page_per_segment(client, auth, manager, book):
    auth.login(manager.email)
    for by in ("coverage_model", "value_tier", "csm", "bogus"):
        response = client.get(f"/health/?by={by}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="onboarding-funnel"' in page and 'id="cadence-compliance"' in page
        assert "Not enough history" in page


def test_scorecard_editor_refuses_bad_weights(client, auth, manager, csm, book):
    card = db.session.query(Scorecard).filter_by(scope="default").one()
    auth.login(manager.email)
    page = client.get(f"/health/scorecards/{card.id}")
    assert page.status_code == 200
    definition = '{"measures": [{"key": "a", "input": "usage.wau", "weight": 40}]}'
    response = client.post(
        f"/health/scorecards/{card.id}",
        data={
            "name": "Default",
            "scope": "default",
            "definition": definition,
            "version": card.version,
        },
    )
    assert response.status_code == 400
    assert "weights: must sum to 100 %" in response.get_data(as_text=True)
    bad_json = client.post(f"/health/scorecards/{card.id}",
                           data={"name": "Default", "scope": "default", "definition": "{", "version": card.version})  # fmt: skip
    assert bad_json.status_code == 400 and "Not valid JSON" in bad_json.get_data(as_text=True)
    auth.logout()
    auth.login(csm.email)
    assert client.post(f"/health/scorecards/{card.id}", data={}).status_code == 403


def test_plan_editor(client, auth, manager, book):
    auth.login(manager.email)
    plan_page = client.get("/health/scorecards")
    assert "Default onboarding" in plan_page.get_data(as_text=True)
    plan_id = db.session.query(AccountOnboarding).first().plan_id
    response = client.post(f"/health/plans/{plan_id}",
                           data={"milestones": "[]", "stall_days": "x", "overdue_days": "3", "version": 1})  # fmt: skip
    assert response.status_code == 400 and "milestones" in response.get_data(as_text=True)


def test_revoke_override_of_this_account_only(client, auth, manager, book):
    auth.login(manager.email)
    client.post(f"/health/accounts/{book.id}/override", data={"band": "red", "reason": "Outage"})
    override = db.session.query(HealthOverride).one()
    other = AccountFactory()
    assert (
        client.post(f"/health/accounts/{other.id}/override/{override.id}/revoke").status_code == 404
    )
    client.post(f"/health/accounts/{book.id}/override/{override.id}/revoke")
    db.session.expire_all()
    assert db.session.get(HealthOverride, override.id).revoked_at is not None


def test_cadence_editor(client, auth, manager, csm, book):
    from cstier.models import CoverageModel, OnboardingPlan, TouchCadence

    model = db.session.query(CoverageModel).filter_by(key="pooled").one()
    plan = db.session.query(OnboardingPlan).filter_by(coverage_model_id=model.id).one()
    auth.login(csm.email)
    url = f"/health/plans/{plan.id}/cadence"
    assert client.post(url, data={"touch_kind": "call", "every_days": "14"}).status_code == 403
    auth.logout()
    auth.login(manager.email)
    page = client.get(f"/health/plans/{plan.id}").get_data(as_text=True)
    assert 'id="cadence-form"' in page
    refused = client.post(
        url, data={"touch_kind": "call", "every_days": "0"}, follow_redirects=True
    )
    assert "every_days: must be a whole number" in refused.get_data(as_text=True)
    client.post(url, data={"touch_kind": "call", "every_days": "14"})
    db.session.expire_all()
    cadence = db.session.get(TouchCadence, model.id)
    assert (cadence.touch_kind, cadence.every_days) == ("call", 14)
    client.post(url, data={"touch_kind": "none", "every_days": ""})
    db.session.expire_all()
    assert db.session.get(TouchCadence, model.id) is None
