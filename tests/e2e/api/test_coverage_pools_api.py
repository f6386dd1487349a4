"""Pools over the API: everyone reads, managers and admins create, edit and delete with If-Match."""

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import AccountCoverage, AssignmentChange, AuditLog, CoverageModel, Pool
from cstier.services.coverage.seed import ensure_default_coverage
from tests.e2e.api.conftest import assert_error_shape
from tests.e2e.api.test_coverage_api import API, fresh, fresh_all, read

POOLS = f"{API}/pools"


@pytest.fixture
def models(db_session) -> dict[str, CoverageModel]:
    """The default coverage models, by key."""
    ensure_default_coverage(db_session)
    db_session.commit()
    return {m.key: m for m in db_session.scalars(select(CoverageModel))}


@pytest.fixture
def pool(db_session, models, csm) -> Pool:
    """A pool serving the pooled model, with one CSM in it."""
    pool = Pool(name="Pooled EMEA", coverage_model_id=models["pooled"].id, member_ids=[csm.id])
    db_session.add(pool)
    db_session.commit()
    return pool


def cover(account, pool: Pool) -> None:
    """Put an account in a pool's book (as an assignment would)."""
    db.session.add(AccountCoverage(account_id=account.id, pool_id=pool.id))
    db.session.commit()


def test_pools_need_a_token(client, pool):
    assert_error_shape(client.get(POOLS), 401)
    assert_error_shape(client.get(f"{POOLS}/{pool.id}"), 401)


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_everyone_lists_pools_with_model_members_and_accounts(
    client, bearer, pool, book, role, request
):
    cover(book["unassigned"], pool)

    response = client.get(POOLS, headers=bearer(request.getfixturevalue(role)))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == [
        {
            "id": pool.id,
            "name": "Pooled EMEA",
            "coverage_model_id": pool.coverage_model_id,
            "coverage_model_key": "pooled",
            "member_ids": [request.getfixturevalue("csm").id],
            "accounts": 1,
            "version": 1,
        }
    ]


def test_a_pool_is_read_with_an_etag(client, bearer, viewer, pool):
    body, etag = read(client, f"{POOLS}/{pool.id}", bearer(viewer))

    assert (body["name"], body["accounts"]) == ("Pooled EMEA", 0)
    assert etag == f'"{body["version"]}"' == '"1"'


def test_an_unknown_pool_is_404(client, bearer, manager, models):
    headers = {**bearer(manager), "If-Match": "*"}
    for call in (client.get, client.delete):
        assert_error_shape(call(f"{POOLS}/999999", headers=headers), 404)
    response = client.patch(f"{POOLS}/999999", json={"name": "x"}, headers=headers)
    assert_error_shape(response, 404)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_creates_a_pool(client, bearer, models, csm, other_csm, role, request):
    headers = bearer(request.getfixturevalue(role))
    payload = {
        "name": " Tech-touch NA ",
        "coverage_model_id": models["tech_touch"].id,
        "member_ids": [other_csm.id, csm.id, csm.id],
    }

    response = client.post(POOLS, json=payload, headers=headers)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["coverage_model_key"], body["member_ids"]) == (
        "Tech-touch NA",
        "tech_touch",
        sorted([csm.id, other_csm.id]),
    )
    assert response.headers["Location"].endswith(f"{POOLS}/{body['id']}")
    assert response.headers["ETag"] == read(client, response.headers["Location"], headers)[1]
    stored = fresh(Pool, body["id"])
    assert (stored.name, stored.member_ids) == ("Tech-touch NA", sorted([csm.id, other_csm.id]))
    csms = {row["user_id"]: row for row in client.get(f"{API}/csms", headers=headers).get_json()}
    assert csms[csm.id]["pool_ids"] == [body["id"]]


def test_a_pool_is_created_without_members(client, bearer, manager, models):
    payload = {"name": "Empty", "coverage_model_id": models["pooled"].id}

    response = client.post(POOLS, json=payload, headers=bearer(manager))

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["member_ids"] == []


def test_manager_patches_a_pool_with_if_match_and_it_persists(
    client, bearer, manager, pool, csm, other_csm
):
    url, headers = f"{POOLS}/{pool.id}", bearer(manager)
    _, etag = read(client, url, headers)

    response = client.patch(
        url, json={"member_ids": [other_csm.id]}, headers={**headers, "If-Match": etag}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["member_ids"]) == ("Pooled EMEA", [other_csm.id])
    assert response.headers["ETag"] != etag
    assert fresh(Pool, pool.id).member_ids == [other_csm.id]
    audit = fresh_all(select(AuditLog).where(AuditLog.entity_type == "pool"))
    assert [row.action for row in audit] == ["update"]


def test_a_stale_pool_etag_is_409_and_nothing_is_written(client, bearer, admin, pool):
    url, headers = f"{POOLS}/{pool.id}", bearer(admin)
    _, etag = read(client, url, headers)
    first = client.patch(url, json={"name": "Renamed"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200, first.get_data(as_text=True)

    stale = client.patch(url, json={"name": "Mine"}, headers={**headers, "If-Match": etag})

    assert_error_shape(stale, 409)
    assert_error_shape(client.delete(url, headers={**headers, "If-Match": etag}), 409)
    assert fresh(Pool, pool.id).name == "Renamed"


def test_a_pool_write_without_if_match_is_428(client, bearer, manager, pool):
    url, headers = f"{POOLS}/{pool.id}", bearer(manager)

    assert_error_shape(client.patch(url, json={"name": "x"}, headers=headers), 428)
    assert_error_shape(client.delete(url, headers=headers), 428)
    assert fresh(Pool, pool.id).name == "Pooled EMEA"


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_viewer_and_csm_cannot_write_pools(client, bearer, pool, models, role, request):
    headers = {**bearer(request.getfixturevalue(role)), "If-Match": "*"}
    url = f"{POOLS}/{pool.id}"

    created = client.post(
        POOLS, json={"name": "New", "coverage_model_id": models["pooled"].id}, headers=headers
    )
    assert_error_shape(created, 403)
    assert_error_shape(client.patch(url, json={"member_ids": []}, headers=headers), 403)
    assert_error_shape(client.delete(url, headers=headers), 403)
    assert [p.name for p in fresh_all(select(Pool))] == ["Pooled EMEA"]
    assert fresh(Pool, pool.id).member_ids == [request.getfixturevalue("csm").id]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Taken"}, "name"),
        ({"coverage_model_id": 999999}, "coverage_model_id"),
        ({"coverage_model_id": "1"}, "coverage_model_id"),
        ({"member_ids": [999999]}, "member_ids"),
        ({"member_ids": "1"}, "member_ids"),
        ({"member_ids": [0]}, "member_ids"),
        ({"member_ids": [2**31]}, "member_ids"),
        ({"accounts": 3}, "accounts"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_pool_fields_are_422(client, bearer, manager, pool, payload, field):
    db.session.add(Pool(name="Taken", coverage_model_id=pool.coverage_model_id, member_ids=[]))
    db.session.commit()
    headers = bearer(manager)
    valid = {"name": "New", "coverage_model_id": pool.coverage_model_id, "member_ids": []}

    patched = client.patch(f"{POOLS}/{pool.id}", json=payload, headers={**headers, "If-Match": "*"})
    created = client.post(POOLS, json=valid | payload, headers=headers)

    for response in (patched, created):
        body = assert_error_shape(response, 422)
        assert field in body["errors"], body
    assert sorted(p.name for p in fresh_all(select(Pool))) == ["Pooled EMEA", "Taken"]


def test_a_member_who_is_not_a_csm_is_422(client, bearer, manager, viewer, pool):
    response = client.patch(
        f"{POOLS}/{pool.id}",
        json={"member_ids": [viewer.id]},
        headers={**bearer(manager), "If-Match": "*"},
    )

    body = assert_error_shape(response, 422)
    assert body["errors"]["member_ids"] == ["Pool members must be CSMs."]


@pytest.mark.parametrize("missing", ["name", "coverage_model_id"])
def test_a_pool_needs_a_name_and_a_model(client, bearer, manager, models, missing):
    payload = {"name": "New", "coverage_model_id": models["pooled"].id}
    del payload[missing]

    body = assert_error_shape(client.post(POOLS, json=payload, headers=bearer(manager)), 422)

    assert missing in body["errors"]


def test_manager_deletes_a_pool_with_if_match(client, bearer, manager, pool):
    url, headers = f"{POOLS}/{pool.id}", bearer(manager)
    _, etag = read(client, url, headers)

    response = client.delete(url, headers={**headers, "If-Match": etag})

    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.get_data() == b""
    assert fresh(Pool, pool.id) is None
    assert_error_shape(client.get(url, headers=headers), 404)


def test_a_pool_with_accounts_is_not_deleted(client, bearer, manager, pool, book):
    cover(book["unassigned"], pool)

    response = client.delete(f"{POOLS}/{pool.id}", headers={**bearer(manager), "If-Match": "*"})

    body = assert_error_shape(response, 422)
    assert "still has accounts" in body["message"]
    assert fresh(Pool, pool.id) is not None


def test_a_pool_in_the_assignment_history_is_not_deleted(client, bearer, manager, pool, book):
    db.session.add(
        AssignmentChange(account_id=book["unassigned"].id, to_pool_id=pool.id, reason="x")
    )
    db.session.commit()

    response = client.delete(f"{POOLS}/{pool.id}", headers={**bearer(manager), "If-Match": "*"})

    body = assert_error_shape(response, 422)
    assert "assignment history" in body["message"]
    assert fresh(Pool, pool.id) is not None
