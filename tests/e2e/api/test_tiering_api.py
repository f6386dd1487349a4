"""Tiering over the API: runs, an account's tiers and history, schemes, segment metrics."""

from cstier.domain.tiering.defaults import VALUE_TIERS
from tests.e2e.api.conftest import assert_error_shape
from tests.queue import work_queue


def start_run(client, headers, dry_run: bool = False):
    """Queue a run and work the queue, as the scheduler process would."""
    response = client.post("/api/v1/runs", json={"dry_run": dry_run}, headers=headers)
    work_queue(client.application)
    return response


def test_manager_starts_a_run_and_reads_its_status(client, bearer, manager, viewer, book):
    headers = bearer(manager)

    dry = start_run(client, headers, dry_run=True)
    queued = start_run(client, headers)

    assert dry.status_code == 202 and queued.status_code == 202, queued.get_json()
    assert queued.get_json()["status"] == "queued"  # as it was answered, before the worker ran
    job = client.get(queued.headers["Location"], headers=headers).get_json()
    assert job["status"] == "done" and job["result_url"].startswith("/tiers/#run-")
    run = client.get("/api/v1/runs?limit=1", headers=headers).get_json()[0]
    assert (run["status"], run["trigger"], run["dry_run"], run["accounts_evaluated"]) == (
        "succeeded",
        "api",
        False,
        3,
    )
    assert run["triggered_by_id"] == manager.id and run["changes"]["value_tiers"] == 3
    status = client.get(f"/api/v1/runs/{run['id']}", headers=bearer(viewer))
    assert status.status_code == 200 and status.get_json()["id"] == run["id"]
    listed = client.get("/api/v1/runs?limit=1", headers=headers).get_json()
    assert [r["id"] for r in listed] == [run["id"]]
    assert_error_shape(client.get("/api/v1/runs/999999", headers=headers), 404)
    assert_error_shape(client.post("/api/v1/runs", json={"dry_run": "maybe"}, headers=headers), 422)


def test_account_tiers_history_and_segments_follow_the_book(client, bearer, manager, csm, book):
    start_run(client, bearer(manager))
    headers = bearer(csm)
    mine = book["mine"].id

    tiers = client.get(f"/api/v1/accounts/{mine}/tiers", headers=headers).get_json()
    history = client.get(f"/api/v1/accounts/{mine}/tier-history", headers=headers).get_json()
    segments = client.get("/api/v1/segments", headers=headers).get_json()

    value = next(t for t in tiers if t["dimension"] == "value")
    assert value["tier"] == "Strategic" and value["explanation"] and value["source"] == "rule"
    assert {h["to_tier"] for h in history if h["dimension"] == "value"} == {"Strategic"}
    value_segment = next(s for s in segments if s["scheme_key"] == "value_tiers")
    assert value_segment["tiers"] == [{"tier": "Strategic", "accounts": 1, "arr_cents": 300_000_00}]


def test_accounts_filter_by_tier(client, bearer, manager, book):
    headers = bearer(manager)
    start_run(client, headers)
    schemes = client.get("/api/v1/tier-schemes", headers=headers).get_json()
    value_id = next(s["id"] for s in schemes if s["dimension"] == "value")

    def tiered(tier: str) -> list[str]:
        url = f"/api/v1/accounts?tier_scheme={value_id}&tier={tier}"
        return [a["name"] for a in client.get(url, headers=headers).get_json()]

    assert (tiered("Strategic"), tiered("Growth"), tiered("Scale")) == (
        ["Acme Core"],
        ["Globex Main"],
        ["Acme Labs"],
    )


def test_admin_creates_a_scheme_and_a_new_version(client, bearer, admin, manager, app):
    headers = bearer(admin)
    definition = VALUE_TIERS | {"name": "Value by ARR", "dimension": "value"}

    created = client.post("/api/v1/tier-schemes", json={"definition": definition}, headers=headers)

    assert created.status_code == 201, created.get_json()
    scheme = created.get_json()
    assert (scheme["key"], scheme["current_version"]) == ("value_by_arr", 1)
    url = f"/api/v1/tier-schemes/{scheme['id']}/versions"
    edited = definition | {"goal": "Sharper"}
    assert_error_shape(
        client.post(url, json={"definition": edited, "base_version": 1}, headers=bearer(manager)),
        403,
    )
    saved = client.post(url, json={"definition": edited, "base_version": 1}, headers=headers)
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json()["current_version"] == 2 and saved.get_json()["goal"] == "Sharper"
    stale = client.post(url, json={"definition": edited, "base_version": 1}, headers=headers)
    assert "version 2" in assert_error_shape(stale, 409)["message"]


def test_an_invalid_scheme_is_refused_with_the_reason(client, bearer, admin, app):
    headers = bearer(admin)
    bad = VALUE_TIERS | {"name": "Broken", "field": "no_such_field"}

    response = client.post("/api/v1/tier-schemes", json={"definition": bad}, headers=headers)
    not_an_object = client.post(
        "/api/v1/tier-schemes", json={"definition": [1, 2]}, headers=headers
    )
    wrong_dimension = client.post(
        "/api/v1/tier-schemes",
        json={"definition": VALUE_TIERS | {"dimension": "mood"}},
        headers=headers,
    )

    body = assert_error_shape(response, 422)
    assert "no_such_field" in body["message"] and body["errors"]["definition"] == [body["message"]]
    assert "definition" in assert_error_shape(not_an_object, 422)["errors"]
    assert "mood" in assert_error_shape(wrong_dimension, 422)["message"]
    assert all(
        s["name"] != "Broken"
        for s in client.get("/api/v1/tier-schemes", headers=headers).get_json()
    )
