"""API reads never create the default schemes or coverage models; POST .../defaults does."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import CoverageMatrixCell, CoverageModel, TierScheme, TierSchemeVersion
from tests.e2e.api.conftest import assert_error_shape

SEEDED_TABLES = (TierScheme, TierSchemeVersion, CoverageModel, CoverageMatrixCell)
EMPTY = {m.__tablename__: 0 for m in SEEDED_TABLES}


def counts() -> dict[str, int]:
    """Count the rows of every table the defaults live in, as committed."""
    with Session(db.engine) as fresh:
        return {
            m.__tablename__: fresh.scalar(select(func.count()).select_from(m))
            for m in SEEDED_TABLES
        }


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_reads_on_a_fresh_workspace_answer_empty_and_write_nothing(client, bearer, request, role):
    headers = bearer(request.getfixturevalue(role))

    schemes = client.get("/api/v1/tier-schemes", headers=headers)
    models = client.get("/api/v1/coverage/models", headers=headers)
    matrix = client.get("/api/v1/coverage/matrix", headers=headers)

    assert (schemes.status_code, models.status_code, matrix.status_code) == (200, 200, 200)
    assert (schemes.get_json(), models.get_json(), matrix.get_json()["cells"]) == ([], [], [])
    assert counts() == EMPTY


def test_admin_creates_the_default_schemes(client, bearer, admin):
    headers = bearer(admin)

    created = client.post("/api/v1/tier-schemes/defaults", headers=headers)

    assert created.status_code == 201, created.get_data(as_text=True)
    keys = [s["key"] for s in created.get_json()]
    assert keys[:2] == ["value_tiers", "needs_tiers"] and len(keys) == 5
    assert [s["key"] for s in client.get("/api/v1/tier-schemes", headers=headers).get_json()] == (
        keys
    )
    again = client.post("/api/v1/tier-schemes/defaults", headers=headers)
    assert again.status_code == 200 and [s["key"] for s in again.get_json()] == keys
    assert counts()["tier_scheme"] == 5


@pytest.mark.parametrize("role", ["manager", "csm", "viewer"])
def test_only_admins_create_the_default_schemes(client, bearer, request, role):
    response = client.post(
        "/api/v1/tier-schemes/defaults", headers=bearer(request.getfixturevalue(role))
    )

    assert "admins" in assert_error_shape(response, 403)["message"]
    assert counts() == EMPTY


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_manager_creates_the_default_coverage_models(client, bearer, request, role):
    headers = bearer(request.getfixturevalue(role))

    created = client.post("/api/v1/coverage/models/defaults", headers=headers)

    assert created.status_code == 201, created.get_data(as_text=True)
    assert [m["key"] for m in created.get_json()] == ["high_touch", "pooled", "tech_touch"]
    assert len(client.get("/api/v1/coverage/matrix", headers=headers).get_json()["cells"]) == 9
    again = client.post("/api/v1/coverage/models/defaults", headers=headers)
    assert again.status_code == 200 and len(again.get_json()) == 3
    assert counts() == {**EMPTY, "coverage_model": 3, "coverage_matrix_cell": 9}


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_csms_and_viewers_may_not_create_coverage_models(client, bearer, request, role):
    response = client.post(
        "/api/v1/coverage/models/defaults", headers=bearer(request.getfixturevalue(role))
    )

    assert "managers" in assert_error_shape(response, 403)["message"]
    assert counts() == EMPTY


def test_the_defaults_endpoints_need_a_token(client, app_ctx):
    for path in ("/api/v1/tier-schemes/defaults", "/api/v1/coverage/models/defaults"):
        assert_error_shape(client.post(path), 401)
    assert counts() == EMPTY


def test_a_run_on_a_workspace_without_schemes_says_to_create_them(client, bearer, manager):
    response = client.post("/api/v1/runs", json={"dry_run": False}, headers=bearer(manager))

    body = assert_error_shape(response, 422)  # the API's status for input that breaks a rule
    assert "an admin creates the default schemes first" in body["message"]
    assert counts() == EMPTY
