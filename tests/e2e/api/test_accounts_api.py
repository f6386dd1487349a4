"""Accounts over the API: the CSM's own book, viewers read only, versioned updates, filters."""

import json

import pytest
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account
from tests.conftest import make_app
from tests.e2e.api.conftest import assert_error_shape
from tests.factories import AccountFactory


def stored(account_id: int) -> Account:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(Account, account_id)


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [a["name"] for a in response.get_json()]


def test_csm_cannot_read_or_list_another_csms_account(client, bearer, csm, book):
    headers = bearer(csm)

    assert_error_shape(client.get(f"/api/v1/accounts/{book['theirs'].id}", headers=headers), 404)
    for path in ("tiers", "tier-history"):
        url = f"/api/v1/accounts/{book['theirs'].id}/{path}"
        assert_error_shape(client.get(url, headers=headers), 404)
    assert names(client.get("/api/v1/accounts", headers=headers)) == ["Acme Core"]
    other = f"/api/v1/accounts?csm_id={book['theirs'].csm_id}"
    assert names(client.get(other, headers=headers)) == []
    assert client.get(f"/api/v1/accounts/{book['mine'].id}", headers=headers).status_code == 200


def test_csm_cannot_patch_another_csms_account(client, bearer, csm, book):
    response = client.patch(
        f"/api/v1/accounts/{book['theirs'].id}",
        json={"name": "Mine now", "version": 1},
        headers=bearer(csm),
    )

    assert_error_shape(response, 404)
    assert stored(book["theirs"].id).name == "Globex Main"


def test_csm_edits_own_account_but_not_its_owner(client, bearer, csm, other_csm, book):
    url, headers = f"/api/v1/accounts/{book['mine'].id}", bearer(csm)

    assert (
        client.patch(url, json={"plan": "Enterprise", "version": 1}, headers=headers).status_code
        == 200
    )
    response = client.patch(url, json={"csm_id": other_csm.id, "version": 2}, headers=headers)

    assert_error_shape(response, 403)
    assert stored(book["mine"].id).csm_id == csm.id


def test_viewer_reads_everything_but_cannot_write(client, bearer, viewer, book):
    headers = bearer(viewer)
    assert len(names(client.get("/api/v1/accounts", headers=headers))) == 3

    writes = [
        client.patch(
            f"/api/v1/accounts/{book['mine'].id}", json={"name": "X", "version": 1}, headers=headers
        ),
        client.patch(f"/api/v1/accounts/{book['mine'].id}", json={"name": "X"}, headers=headers),
        client.post(
            "/api/v1/accounts",
            json={"name": "X", "external_id": "X", "company_id": book["mine"].company_id},
            headers=headers,
        ),
        client.post("/api/v1/companies", json={"name": "X", "external_id": "X"}, headers=headers),
        client.patch(
            f"/api/v1/companies/{book['mine'].company_id}", json={"name": "X"}, headers=headers
        ),
        client.post("/api/v1/runs", json={}, headers=headers),
        client.post("/api/v1/tier-schemes", json={"definition": {}}, headers=headers),
    ]

    for response in writes:
        assert_error_shape(response, 403)
    assert stored(book["mine"].id).name == "Acme Core"


def test_manager_patches_with_version_and_gets_the_new_etag(
    client, bearer, manager, other_csm, book
):
    url, headers = f"/api/v1/accounts/{book['mine'].id}", bearer(manager)
    read = client.get(url, headers=headers)
    assert read.headers["ETag"] == '"1"' and read.get_json()["version"] == 1

    response = client.patch(
        url,
        json={
            "version": 1,
            "csm_id": other_csm.id,
            "arr_cents": 99_00,
            "renewal_date": "2027-06-30",
        },
        headers=headers,
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["csm_id"], body["arr_cents"], body["renewal_date"], body["version"]) == (
        other_csm.id,
        99_00,
        "2027-06-30",
        2,
    )
    assert response.headers["ETag"] == '"2"'
    assert stored(book["mine"].id).csm_id == other_csm.id


def test_if_match_works_like_the_version_field(client, bearer, manager, book):
    url, headers = f"/api/v1/accounts/{book['mine'].id}", bearer(manager)
    etag = client.get(url, headers=headers).headers["ETag"]

    assert (
        client.patch(url, json={"plan": "Team"}, headers={**headers, "If-Match": etag}).status_code
        == 200
    )
    stale = client.patch(url, json={"plan": "Solo"}, headers={**headers, "If-Match": etag})

    assert_error_shape(stale, 409)
    assert stored(book["mine"].id).plan == "Team"


def test_stale_version_is_a_409_in_the_error_shape(client, bearer, manager, book):
    url, headers = f"/api/v1/accounts/{book['mine'].id}", bearer(manager)
    assert (
        client.patch(url, json={"name": "First", "version": 1}, headers=headers).status_code == 200
    )

    body = assert_error_shape(
        client.patch(url, json={"name": "Second", "version": 1}, headers=headers), 409
    )

    assert "Someone else saved" in body["message"]
    assert stored(book["mine"].id).name == "First"


def test_a_patch_without_version_or_if_match_is_428(client, bearer, manager, book):
    response = client.patch(
        f"/api/v1/accounts/{book['mine'].id}", json={"name": "X"}, headers=bearer(manager)
    )

    body = assert_error_shape(response, 428)
    assert "version" in body["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"arr_cents": -1}, "arr_cents"),
        ({"arr_cents": "lots"}, "arr_cents"),
        ({"lifecycle_stage": "zombie"}, "lifecycle_stage"),
        ({"renewal_date": "31/12/2027"}, "renewal_date"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00byte"}, "name"),
        ({"csm_id": 2**40}, "csm_id"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"version": "one"}, "version"),
    ],
)
def test_invalid_fields_are_422_with_field_errors(client, bearer, manager, book, payload, field):
    response = client.patch(
        f"/api/v1/accounts/{book['mine'].id}",
        json={"version": 1} | payload,
        headers=bearer(manager),
    )

    body = assert_error_shape(response, 422)
    assert field in body["errors"]


def test_business_rule_failures_are_422_with_field_errors(client, bearer, manager, viewer, book):
    response = client.patch(
        f"/api/v1/accounts/{book['mine'].id}",
        json={"version": 1, "csm_id": viewer.id, "renewal_date": "2020-01-01"},
        headers=bearer(manager),
    )

    body = assert_error_shape(response, 422)
    assert body["message"] == "The account was not saved."
    assert set(body["errors"]) == {"csm_id", "renewal_date"}


def test_malformed_json_is_400_in_the_error_shape(client, bearer, manager, book):
    response = client.patch(
        f"/api/v1/accounts/{book['mine'].id}",
        data="{not json",
        content_type="application/json",
        headers=bearer(manager),
    )

    assert_error_shape(response, 400)


def test_manager_creates_an_account(client, bearer, manager, book):
    response = client.post(
        "/api/v1/accounts",
        json={
            "name": "New",
            "external_id": "AC-NEW",
            "company_id": book["mine"].company_id,
            "arr_cents": 5_000_00,
        },
        headers=bearer(manager),
    )

    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == f"/api/v1/accounts/{response.get_json()['id']}"
    duplicate = client.post(
        "/api/v1/accounts",
        json={"name": "Again", "external_id": "AC-NEW", "company_id": book["mine"].company_id},
        headers=bearer(manager),
    )
    assert "external_id" in assert_error_shape(duplicate, 422)["errors"]


def test_list_filters(client, bearer, manager, csm, book):
    headers = bearer(manager)

    def listed(query: str) -> list[str]:
        return sorted(names(client.get(f"/api/v1/accounts?{query}", headers=headers)))

    assert listed("q=acme") == ["Acme Core", "Acme Labs"]
    assert listed("region=NA") == ["Globex Main"]
    assert listed(f"csm_id={csm.id}") == ["Acme Core"]
    assert listed("unassigned=true") == ["Acme Labs"]
    assert listed("stage=active") == ["Acme Core", "Acme Labs", "Globex Main"]
    assert (
        names(client.get("/api/v1/accounts?sort=arr&descending=true", headers=headers))[0]
        == "Acme Core"
    )
    assert_error_shape(client.get("/api/v1/accounts?stage=zombie", headers=headers), 422)
    body = assert_error_shape(client.get("/api/v1/accounts?tier=Strategic", headers=headers), 422)
    assert "tier" in body["errors"]


def test_pagination_with_x_pagination_header(client, bearer, manager, db_session):
    for n in range(7):
        AccountFactory(name=f"Paged {n}")
    headers = bearer(manager)

    first = client.get("/api/v1/accounts?page=1&page_size=3", headers=headers)
    last = client.get("/api/v1/accounts?page=3&page_size=3", headers=headers)
    beyond = client.get("/api/v1/accounts?page=99999999999&page_size=3", headers=headers)

    assert names(first) == ["Paged 0", "Paged 1", "Paged 2"]
    meta = json.loads(first.headers["X-Pagination"])
    assert (meta["total"], meta["total_pages"], meta["next_page"]) == (7, 3, 2)
    assert names(last) == ["Paged 6"]
    assert names(beyond) == []
    assert_error_shape(client.get("/api/v1/accounts?page_size=1000", headers=headers), 422)
    assert_error_shape(client.get("/api/v1/accounts?page=0", headers=headers), 422)


def test_a_big_list_is_counted_only_as_far_as_its_pager_needs(client, bearer, manager):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from cstier.services.paging import COUNT_CAP
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    db.session.flush()
    now = datetime.now(UTC)
    rows = [
        {
            "external_id": f"BIG-{n:05}",
            "name": f"Big {n:05}",
            "unit_type": "company",
            "company_id": company.id,
            "lifecycle_stage": "active",
            "attributes": {},
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(COUNT_CAP + 60)
    ]
    db.session.execute(insert(Account), rows)
    db.session.commit()
    headers = bearer(manager)

    first = client.get("/api/v1/accounts?page=1&page_size=50", headers=headers)
    last_page = -(-(COUNT_CAP + 60) // 50)
    near_end = client.get(f"/api/v1/accounts?page={last_page - 1}&page_size=50", headers=headers)
    last = client.get(f"/api/v1/accounts?page={last_page}&page_size=50", headers=headers)

    meta = json.loads(first.headers["X-Pagination"])
    assert (meta["total"], meta["more"], meta["next_page"]) == (COUNT_CAP, True, 2)
    assert "last_page" not in meta and "total_pages" not in meta
    # Counting up to the page asked for: the end of the list is exact.
    assert json.loads(near_end.headers["X-Pagination"])["more"] is True
    end = json.loads(last.headers["X-Pagination"])
    assert (end["total"], end["last_page"]) == (COUNT_CAP + 60, last_page) and "more" not in end
    assert names(last) == [f"Big {n:05}" for n in range(COUNT_CAP + 50, COUNT_CAP + 60)]


def test_api_writes_need_no_csrf_token(database_url, instance_path, bearer, manager, book):
    csrf_app = make_app(database_url, instance_path, WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    url = f"/api/v1/accounts/{book['mine'].id}"

    response = client.patch(url, json={"plan": "Scale", "version": 1}, headers=bearer(manager))

    assert response.status_code == 200, response.get_json()
    assert client.post("/tokens/", data={"name": "x"}).status_code == 400  # the UI still needs one
