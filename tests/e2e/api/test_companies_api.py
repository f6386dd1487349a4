"""Companies over the API: visibility, manager writes with If-Match, validation, pagination."""

import json

from tests.e2e.api.conftest import assert_error_shape
from tests.factories import CompanyFactory

NEW_COMPANY = {"external_id": "CO-NEW", "name": "Initech", "country": "us", "employees": 80}


def test_csm_sees_only_the_companies_behind_their_book(client, bearer, csm, book):
    headers = bearer(csm)

    listed = client.get("/api/v1/companies", headers=headers).get_json()

    assert [c["name"] for c in listed] == ["Acme"]
    assert listed[0]["accounts"] == 2  # counts cover the company, not only the CSM's share
    theirs = book["theirs"].company_id
    assert_error_shape(client.get(f"/api/v1/companies/{theirs}", headers=headers), 404)


def test_manager_creates_and_updates_with_if_match(client, bearer, manager, app):
    headers = bearer(manager)

    created = client.post("/api/v1/companies", json=NEW_COMPANY, headers=headers)

    assert created.status_code == 201, created.get_json()
    assert created.get_json()["country"] == "US"
    url, etag = created.headers["Location"], created.headers["ETag"]
    assert client.get(url, headers=headers).headers["ETag"] == etag
    assert_error_shape(client.patch(url, json={"name": "Initrode"}, headers=headers), 428)

    updated = client.patch(url, json={"name": "Initrode"}, headers={**headers, "If-Match": etag})

    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["name"] == "Initrode" and updated.headers["ETag"] != etag
    stale = client.patch(url, json={"name": "Late"}, headers={**headers, "If-Match": etag})
    assert_error_shape(stale, 409)
    assert client.get(url, headers=headers).get_json()["name"] == "Initrode"


def test_company_validation_errors(client, bearer, manager, db_session):
    headers = bearer(manager)
    CompanyFactory(external_id="CO-TAKEN")

    missing = assert_error_shape(client.post("/api/v1/companies", json={}, headers=headers), 422)
    taken = assert_error_shape(
        client.post(
            "/api/v1/companies", json=NEW_COMPANY | {"external_id": "CO-TAKEN"}, headers=headers
        ),
        422,
    )
    negative = assert_error_shape(
        client.post("/api/v1/companies", json=NEW_COMPANY | {"employees": -5}, headers=headers), 422
    )

    assert set(missing["errors"]) == {"external_id", "name"}
    assert taken["message"] == "The company was not saved." and "external_id" in taken["errors"]
    assert "employees" in negative["errors"]


def test_company_list_filters_and_pages(client, bearer, viewer, db_session):
    for n in range(5):
        CompanyFactory(name=f"Co {n}", region="APAC" if n % 2 else "EMEA")
    headers = bearer(viewer)

    apac = client.get("/api/v1/companies?region=APAC", headers=headers).get_json()
    page = client.get("/api/v1/companies?page=2&page_size=2", headers=headers)

    assert [c["name"] for c in apac] == ["Co 1", "Co 3"]
    assert [c["name"] for c in page.get_json()] == ["Co 2", "Co 3"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 5


def test_two_patches_with_one_etag_save_once(client, bearer, manager, db_session):
    headers = bearer(manager)
    url = f"/api/v1/companies/{CompanyFactory(name='Acme').id}"
    read = client.get(url, headers=headers)
    assert read.headers["ETag"] == f'"{read.get_json()["version"]}"'
    sent = {**headers, "If-Match": read.headers["ETag"]}

    first = client.patch(url, json={"name": "Acme One"}, headers=sent)
    second = client.patch(url, json={"name": "Acme Two"}, headers=sent)

    assert first.status_code == 200, first.get_json()
    assert "Someone else saved this company" in assert_error_shape(second, 409)["message"]
    stored = client.get(url, headers=headers).get_json()
    assert (stored["name"], stored["version"]) == ("Acme One", read.get_json()["version"] + 1)


def test_a_version_field_stands_in_for_if_match(client, bearer, manager, db_session):
    headers = bearer(manager)
    company = CompanyFactory(name="Acme")
    url = f"/api/v1/companies/{company.id}"

    saved = client.patch(url, json={"name": "Acme Ltd", "version": 1}, headers=headers)
    stale = client.patch(url, json={"name": "Acme Inc", "version": 1}, headers=headers)

    assert saved.status_code == 200 and saved.headers["ETag"] == '"2"'
    assert_error_shape(stale, 409)
    mangled = client.patch(url, json={"name": "X", "version": "two"}, headers=headers)
    assert "version" in assert_error_shape(mangled, 422)["errors"]
