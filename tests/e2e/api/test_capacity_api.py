"""The API serves the capacity page's numbers."""

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services.coverage.capacity import capacity_report
from cstier.services.tiering.run import run_tiering


def test_capacity_matches_the_service(client, bearer, manager, book):
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli")  # tiers and coverage for the book
    response = client.get("/api/v1/capacity", headers=bearer(manager))
    assert response.status_code == 200
    expected = capacity_report(db.session)
    body = response.get_json()
    assert body["unassigned"] == expected.unassigned
    assert [m["key"] for m in body["models"]] == [m["key"] for m in expected.models]
    assert [m["required"] for m in body["models"]] == [m["required"] for m in expected.models]
    assert sum(m["accounts"] for m in body["models"]) == len(book)
    assert body["unassigned"] == 1


def test_capacity_needs_a_token(client):
    assert client.get("/api/v1/capacity").status_code == 401
