"""Every API write takes JSON only, in valid Unicode, with finite numbers; answers never hold NaN."""

import json
import math
import re

import pytest
from flask import jsonify
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cstier.api.base import API_PREFIX
from cstier.extensions import db
from cstier.models import Account, AuditLog, Company, TierSchemeVersion
from tests.e2e.api.conftest import assert_error_shape
from tests.factories import AccountFactory

WRITE_METHODS = ("POST", "PUT", "PATCH")
NOT_JSON = [
    ("text/plain", "name=Renamed"),
    ("application/x-www-form-urlencoded", "name=Renamed"),
    (None, "name=Renamed"),
]
RAW_BAD = ["NaN", "nan", "Infinity", "-Infinity", "1e400"]  # as JSON text, unquoted
QUOTED_BAD = ['"NaN"', '"Infinity"', '"-Infinity"', '"1e400"']
PATH_ID = re.compile(r"<[^>]+>")
SPEC_ID = re.compile(r"\{[^}]+\}")


def write_routes(app) -> list[tuple[str, str]]:
    """Return (method, path) for every API route that writes, its ids set to 1."""
    routes = sorted(
        (method, PATH_ID.sub("1", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX)
        for method in rule.methods & set(WRITE_METHODS)
    )
    assert len(routes) >= 16, routes
    return routes


def number_fields(client) -> list[tuple[str, str, str, str]]:
    """Return (method, path, field, type) for every field of a request body that holds numbers."""
    spec = client.get(f"{API_PREFIX}/openapi.json").get_json()

    def resolve(schema: dict) -> dict:
        while "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method.upper() not in WRITE_METHODS or "requestBody" not in operation:
                continue
            schema = resolve(operation["requestBody"]["content"]["application/json"]["schema"])
            for name, field in schema.get("properties", {}).items():
                field = resolve(field)
                kind = field.get("type")
                if not field.get("readOnly") and kind in ("integer", "number", "object", "array"):
                    found.append((method.upper(), SPEC_ID.sub("1", path), name, kind))
    assert len(found) >= 15, found
    return found


def fingerprint() -> tuple:
    """What any accepted write would change."""
    with Session(db.engine) as fresh:
        return (
            fresh.scalar(select(func.count(Account.id))),
            fresh.scalar(select(func.coalesce(func.sum(Account.version), 0))),
            fresh.scalar(select(func.count(Company.id))),
            fresh.scalar(select(func.count(TierSchemeVersion.id))),
            fresh.scalar(select(func.count(AuditLog.id))),
        )


def send(client, method: str, path: str, body: str, headers: dict, content_type="application/json"):
    extra = {"Content-Type": content_type} if content_type else {}
    return client.open(path, method=method, data=body, headers={**headers, **extra})


@pytest.mark.parametrize(("content_type", "body"), NOT_JSON, ids=["text", "form", "untyped"])
def test_every_api_write_refuses_a_body_that_is_not_json(
    app, client, bearer, admin, content_type, body
):
    headers = bearer(admin)
    before = fingerprint()
    for method, path in write_routes(app):
        response = send(client, method, path, body, headers, content_type)

        error = assert_error_shape(response, 415)
        assert "application/json" in error["message"], (method, path)
    assert fingerprint() == before


def test_a_form_encoded_patch_is_415_and_changes_nothing(client, bearer, manager, book):
    account = book["mine"]
    response = client.patch(
        f"{API_PREFIX}/accounts/{account.id}",
        data={"name": "Renamed", "version": "1"},
        headers=bearer(manager),
    )

    assert_error_shape(response, 415)
    with Session(db.engine) as fresh:
        assert fresh.get(Account, account.id).name == "Acme Core"


def test_a_write_without_a_body_still_reaches_the_view(client, bearer, admin):
    response = client.post(f"{API_PREFIX}/tier-schemes/defaults", headers=bearer(admin))

    assert response.status_code in (200, 201), response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    ['{"name": "\\ud800"}', '{"\\udfff": 1}', '{"name": ["ok", "x\\ud83d"]}'],
    ids=["value", "key", "nested"],
)
def test_every_api_write_refuses_a_lone_surrogate(app, client, bearer, admin, body):
    headers = bearer(admin)
    before = fingerprint()
    for method, path in write_routes(app):
        error = assert_error_shape(send(client, method, path, body, headers), 400)
        assert "not valid Unicode" in error["message"], (method, path)
    assert fingerprint() == before


def test_a_surrogate_pair_is_ordinary_text(client, bearer, manager, book):
    account = book["mine"]
    response = send(
        client,
        "PATCH",
        f"{API_PREFIX}/accounts/{account.id}",
        '{"name": "Acme \\ud83d\\ude80", "version": 1}',
        bearer(manager),
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["name"] == "Acme \U0001f680"


def test_invalid_utf8_is_a_400(app, client, bearer, admin):
    headers = bearer(admin)
    for method, path in write_routes(app):
        response = client.open(
            path,
            method=method,
            data=b'{"name": "\xed\xa0\x80"}',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert_error_shape(response, 400)


@pytest.mark.parametrize("bad", RAW_BAD)
def test_every_number_field_of_the_api_refuses_non_finite_tokens(client, bearer, admin, bad):
    headers = bearer(admin)
    before = fingerprint()
    for method, path, name, kind in number_fields(client):
        value = {"object": f'{{"n": {bad}}}', "array": f"[{bad}]"}.get(kind, bad)
        response = send(client, method, path, f'{{"{name}": {value}}}', headers)

        error = assert_error_shape(response, 400)
        expected = "not valid JSON" if bad == "nan" else "finite number"
        assert expected in error["message"], (method, path, name)
    assert fingerprint() == before


@pytest.mark.parametrize("bad", QUOTED_BAD)
def test_every_number_field_of_the_api_refuses_non_finite_text(client, bearer, admin, bad):
    headers = bearer(admin)
    before = fingerprint()
    for method, path, name, kind in number_fields(client):
        if kind not in ("integer", "number"):
            continue
        response = send(client, method, path, f'{{"{name}": {bad}}}', headers)

        error = assert_error_shape(response, 422)
        assert name in error["errors"], (method, path, name, error)
    assert fingerprint() == before


def test_json_answers_never_hold_nan_or_infinity(app):
    with app.test_request_context():
        response = jsonify({"nps": math.nan, "scores": [1.5, math.inf, -math.inf]})

    assert response.get_data(as_text=True).strip() == '{"nps":null,"scores":[1.5,null,null]}'


@pytest.mark.skipif(
    "CSTIER_TEST_DATABASE_URL" in __import__("os").environ,
    reason="PostgreSQL's JSONB cannot hold NaN: only SQLite could have stored it",
)
def test_a_stored_non_finite_attribute_is_listed_as_null(client, bearer, manager, db_session):
    account = AccountFactory(attributes={"nps": 9})
    db_session.execute(
        text("UPDATE account SET attributes = :a WHERE id = :id"),
        {"a": '{"nps": Infinity, "seats": 12}', "id": account.id},
    )
    db_session.commit()

    response = client.get(f"{API_PREFIX}/accounts", headers=bearer(manager))

    assert response.status_code == 200
    assert "Infinity" not in response.get_data(as_text=True)
    assert json.loads(response.get_data(as_text=True))[0]["attributes"] == {
        "nps": None,
        "seats": 12,
    }
