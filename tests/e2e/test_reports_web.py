"""The tier review and alerts pages over HTTP: the user's book, week navigation, bad input."""

from datetime import UTC, datetime

import pytest

from cstier.extensions import db
from cstier.models import TierChange
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory

MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def moves(db_session, csm, other_csm):
    """In 2026-W02 the CSM's account moved up and the other CSM's moved down."""
    company = CompanyFactory(name="Acme")
    mine = AccountFactory(name="Acme Core", company=company, arr_cents=300_000_00, csm=csm)
    theirs = AccountFactory(name="Globex Main", company=company, arr_cents=40_000_00, csm=other_csm)
    scheme = next(s for s in ensure_default_schemes(db.session) if s.key == "value_tiers")
    for account, from_tier, to_tier in ((mine, "Growth", "Strategic"), (theirs, "Growth", "Scale")):
        db.session.add(
            TierChange(
                account_id=account.id, scheme_id=scheme.id, dimension="value", from_tier=from_tier,
                to_tier=to_tier, at=MONDAY, reason="rule", scheme_version=1, explanation="ARR band",
            )
        )  # fmt: skip
    db.session.commit()
    return scheme


def test_manager_sees_the_week_with_chart_and_navigation(client, auth, manager, moves):
    auth.login(manager.email)
    response = client.get("/reports/tier-review?week=2026-W02")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tier review · 2026-W02" in html and "Mon 05 Jan 2026 – Sun 11 Jan 2026" in html
    assert "Value tiers: 1 up ($300k ARR), 1 down ($40k ARR)." in html
    assert 'id="moves-chart"' in html and "/static/vendor/chart.umd.min.js" in html
    assert "week=2026-W01" in html and "week=2026-W03" in html
    assert "Acme Core" in html and "Globex Main" in html


def test_a_csm_sees_only_their_book(client, auth, csm, moves):
    auth.login(csm.email)
    html = client.get("/reports/tier-review?week=2026-W02").get_data(as_text=True)
    assert "Acme Core" in html and "Globex Main" not in html
    alerts = client.get("/alerts").get_data(as_text=True)
    assert "Acme Core" in alerts and "Globex Main" not in alerts


def test_an_empty_week_says_so_and_has_no_chart(client, auth, viewer, moves):
    auth.login(viewer.email)
    html = client.get("/reports/tier-review?week=2026-W10").get_data(as_text=True)
    assert "No tier changes in this week" in html and "moves-chart" not in html


def test_the_default_is_the_last_full_week(client, auth, viewer):
    auth.login(viewer.email)
    response = client.get("/reports/tier-review")
    assert response.status_code == 200 and "No tier changes in this week" in response.get_data(
        as_text=True
    )
    assert 'href="/reports/tier-review"' in response.get_data(as_text=True)  # the nav link


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2026-W99", "2026 has weeks W01 to W53"),
        ("garbage", "write it as YYYY-Www"),
        ("9999-W52", "year"),
    ],
)
def test_a_bad_week_is_a_400_with_a_message(client, auth, viewer, week, message):
    auth.login(viewer.email)
    response = client.get(f"/reports/tier-review?week={week}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_alerts_list_filters_and_empty_state(client, auth, viewer, moves):
    auth.login(viewer.email)
    html = client.get("/alerts").get_data(as_text=True)
    assert "Growth → Strategic" in html and "Growth → Scale" in html and "2 alerts" in html
    assert "Tier-change alerts" in html
    assert "No tier-change alerts" in client.get("/alerts?since=2026-01-06").get_data(as_text=True)
    html = client.get(f"/alerts?scheme={moves.id}&since=2026-01-05").get_data(as_text=True)
    assert "2 alerts" in html
    assert "No tier-change alerts" in client.get(f"/alerts?scheme={moves.id + 1}").get_data(
        as_text=True
    )
    assert client.get("/alerts?page=garbage").status_code == 200
    assert client.get("/alerts?page=99999999999").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=garbage", "is not a date"),
        ("scheme=abc", "Choose a scheme"),
        ("scheme=99999999999", "Choose a scheme"),
    ],
)
def test_bad_alert_filters_are_a_400_with_a_message(client, auth, viewer, query, message):
    auth.login(viewer.email)
    response = client.get(f"/alerts?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_pages_need_a_login(client):
    assert client.get("/reports/tier-review").status_code == 302
    assert client.get("/alerts").status_code == 302


def test_alerts_past_the_count_cap_say_more_and_page_on(
    app, client, auth, viewer, moves, monkeypatch
):
    account = AccountFactory(name="Initech")
    db.session.add_all(
        TierChange(
            account_id=account.id, scheme_id=moves.id, dimension="value", from_tier="Scale",
            to_tier="Growth", at=MONDAY, reason="rule", scheme_version=1, explanation="ARR band",
        )
        for _ in range(60)
    )  # fmt: skip
    db.session.commit()
    monkeypatch.setitem(app.config, "ACCOUNTS_COUNT_CAP", 12)
    auth.login(viewer.email)
    first = client.get("/alerts").get_data(as_text=True)
    assert "More than 50 alerts · page 1" in first and 'rel="next"' in first
    second = client.get("/alerts?page=2").get_data(as_text=True)
    assert "62 alerts · page 2 of 2" in second and 'rel="next"' not in second
