"""The tier review and alerts over the API: the caller's book, a viewer reads, bad input is 422."""

import json
from datetime import UTC, datetime

import pytest

from cstier.extensions import db
from cstier.models import TierChange
from cstier.services.tiering.schemes import active_schemes
from tests.e2e.api.conftest import assert_error_shape

REVIEW = "/api/v1/reports/tier-review"
ALERTS = "/api/v1/reports/alerts"
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def moves(book):
    """Each CSM's account moved up in the value tiers in 2026-W02; the unassigned one is new."""
    scheme = next(s for s in active_schemes(db.session) if s.key == "value_tiers")
    for account, from_tier in (
        (book["mine"], "Growth"),
        (book["theirs"], "Scale"),
        (book["unassigned"], None),
    ):
        db.session.add(
            TierChange(
                account_id=account.id, scheme_id=scheme.id, dimension="value", from_tier=from_tier,
                to_tier="Strategic", at=MONDAY, reason="rule", scheme_version=1,
            )
        )  # fmt: skip
    db.session.commit()
    return scheme


def value_tiers(body: dict) -> dict:
    return next(s for s in body["schemes"] if s["name"] == "Value tiers")


def test_a_csm_sees_only_their_own_changes(client, bearer, csm, moves):
    response = client.get(f"{REVIEW}?week=2026-W02", headers=bearer(csm))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["week"], body["week_start"]) == ("2026-W02", "2026-01-05")
    assert (value_tiers(body)["up"], value_tiers(body)["new"], body["changes"]) == (1, 0, 1)
    assert [m["account_name"] for m in body["top_movers"]] == ["Acme Core"]
    alerts = client.get(ALERTS, headers=bearer(csm)).get_json()
    assert [a["account_name"] for a in alerts] == ["Acme Core"]


def test_a_viewer_reads_the_whole_book(client, bearer, viewer, moves):
    body = client.get(f"{REVIEW}?week=2026-W02", headers=bearer(viewer)).get_json()
    assert (value_tiers(body)["up"], value_tiers(body)["new"]) == (2, 1)
    assert body["arr_up_cents"] == 300_000_00 + 120_000_00
    assert value_tiers(body)["matrix"][0] == {
        "from_tier": "Growth", "to_tier": "Strategic", "accounts": 1, "arr_cents": 300_000_00,
    }  # fmt: skip
    response = client.get(ALERTS, headers=bearer(viewer))
    alerts = response.get_json()
    assert {a["account_name"] for a in alerts} == {"Acme Core", "Globex Main"}  # not the new one
    assert alerts[0]["direction"] == "up" and alerts[0]["scheme_key"] == "value_tiers"
    assert json.loads(response.headers["X-Pagination"])["total"] == 2


def test_the_default_week_is_the_last_full_week(client, bearer, viewer):
    body = client.get(REVIEW, headers=bearer(viewer)).get_json()
    assert body["lines"] == ["No tier changes in this week."] and body["next_week"] is not None


@pytest.mark.parametrize("week", ["2026-W99", "garbage", "2026-01-05", "9999-W01", "2026-W2"])
def test_a_bad_week_is_422(client, bearer, viewer, week):
    body = assert_error_shape(client.get(f"{REVIEW}?week={week}", headers=bearer(viewer)), 422)
    assert "week" in body["errors"]


@pytest.mark.parametrize(
    "query", ["since=garbage", "since=2026-02-30", "scheme_id=0", "scheme_id=x"]
)
def test_bad_alert_filters_are_422(client, bearer, viewer, query):
    assert_error_shape(client.get(f"{ALERTS}?{query}", headers=bearer(viewer)), 422)


def test_alert_filters_and_pages(client, bearer, admin, moves):
    headers = bearer(admin)
    assert client.get(f"{ALERTS}?since=2026-01-06", headers=headers).get_json() == []
    assert len(client.get(f"{ALERTS}?since=2026-01-05", headers=headers).get_json()) == 2
    assert client.get(f"{ALERTS}?scheme_id={moves.id + 100}", headers=headers).get_json() == []
    page = client.get(f"{ALERTS}?page_size=1&page=2", headers=headers)
    assert len(page.get_json()) == 1
    assert json.loads(page.headers["X-Pagination"])["total_pages"] == 2
    assert client.get(f"{ALERTS}?page=99999999", headers=headers).get_json() == []


def test_no_token_is_401(client):
    assert_error_shape(client.get(REVIEW), 401)
