"""Coverage over the API: models, matrix, CSM profiles, assignments, account coverage, handoffs."""

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import (
    Account,
    AccountCoverage,
    AssignmentChange,
    CoverageMatrixCell,
    CoverageModel,
    CsmProfile,
    Handoff,
    Pool,
)
from cstier.services.coverage.seed import ensure_default_coverage
from tests.e2e.api.conftest import assert_error_shape
from tests.factories import UserFactory

API = "/api/v1/coverage"
MISSING = object()


def fresh(model, key):
    """Read a row as committed, outside the test's session."""
    with Session(db.engine, expire_on_commit=False) as session:
        return session.get(model, key)


def fresh_all(stmt) -> list:
    with Session(db.engine, expire_on_commit=False) as session:
        return list(session.scalars(stmt))


@pytest.fixture
def models(db_session) -> dict[str, CoverageModel]:
    """The default coverage models and matrix, by key."""
    ensure_default_coverage(db_session)
    db_session.commit()
    return {m.key: m for m in db_session.scalars(select(CoverageModel))}


def give_model(account, model: CoverageModel) -> None:
    """Give an account a derived coverage model (as a derive would)."""
    db.session.add(AccountCoverage(account_id=account.id, coverage_model_id=model.id))
    db.session.commit()


def read(client, url: str, headers: dict) -> tuple[dict, str]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), response.headers["ETag"]


def test_coverage_needs_a_token(client):
    for path in ("models", "matrix", "csms", "handoffs"):
        assert_error_shape(client.get(f"{API}/{path}"), 401)


# --- coverage models --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_everyone_lists_models_with_ratios(client, bearer, role, request, models):
    response = client.get(f"{API}/models", headers=bearer(request.getfixturevalue(role)))

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [m["key"] for m in body] == ["high_touch", "pooled", "tech_touch"]
    high_touch = body[0]
    assert (high_touch["accounts_per_csm"], high_touch["hard_limit_pct"]) == (50, 125)
    assert high_touch["arr_per_csm_cents"] == 5_000_000_00
    assert high_touch["motion"] == "high_touch"


def test_manager_patches_a_model_with_if_match_and_it_persists(client, bearer, manager, models):
    url, headers = f"{API}/models/{models['pooled'].id}", bearer(manager)
    _, etag = read(client, url, headers)

    response = client.patch(
        url,
        json={"accounts_per_csm": 250, "arr_per_csm_cents": 900_000_00},
        headers={**headers, "If-Match": etag},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["accounts_per_csm"], body["arr_per_csm_cents"], body["name"]) == (
        250,
        900_000_00,
        "Pooled",
    )
    assert response.headers["ETag"] != etag
    stored = fresh(CoverageModel, models["pooled"].id)
    assert (stored.accounts_per_csm, stored.arr_per_csm_cents, stored.cadence) == (
        250,
        900_000_00,
        "Monthly check-in",
    )


def test_a_stale_model_etag_is_409_and_nothing_is_written(client, bearer, admin, models):
    url, headers = f"{API}/models/{models['pooled'].id}", bearer(admin)
    _, etag = read(client, url, headers)
    first = client.patch(url, json={"cadence": "Weekly"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200

    stale = client.patch(url, json={"cadence": "Yearly"}, headers={**headers, "If-Match": etag})

    assert_error_shape(stale, 409)
    assert fresh(CoverageModel, models["pooled"].id).cadence == "Weekly"


def test_a_model_patch_without_if_match_is_428(client, bearer, manager, models):
    response = client.patch(
        f"{API}/models/{models['pooled'].id}", json={"cadence": "x"}, headers=bearer(manager)
    )

    assert_error_shape(response, 428)


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_viewer_and_csm_cannot_patch_a_model(client, bearer, models, role, request):
    url, headers = f"{API}/models/{models['pooled'].id}", bearer(request.getfixturevalue(role))
    _, etag = read(client, url, headers)

    response = client.patch(
        url, json={"accounts_per_csm": 1}, headers={**headers, "If-Match": etag}
    )

    assert_error_shape(response, 403)
    assert fresh(CoverageModel, models["pooled"].id).accounts_per_csm == 300


def test_an_unknown_model_is_404(client, bearer, manager, models):
    headers = bearer(manager)
    assert_error_shape(client.get(f"{API}/models/999999", headers=headers), 404)
    response = client.patch(
        f"{API}/models/999999", json={"cadence": "x"}, headers={**headers, "If-Match": "*"}
    )
    assert_error_shape(response, 404)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"accounts_per_csm": 0}, "accounts_per_csm"),
        ({"accounts_per_csm": -5}, "accounts_per_csm"),
        ({"accounts_per_csm": "many"}, "accounts_per_csm"),
        ({"arr_per_csm_cents": 0}, "arr_per_csm_cents"),
        ({"arr_per_csm_cents": -100}, "arr_per_csm_cents"),
        ({"hard_limit_pct": 99}, "hard_limit_pct"),
        ({"hard_limit_pct": 401}, "hard_limit_pct"),
        ({"motion": "carrier_pigeon"}, "motion"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"key": "renamed"}, "key"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_model_fields_are_422(client, bearer, manager, models, payload, field):
    response = client.patch(
        f"{API}/models/{models['pooled'].id}",
        json=payload,
        headers={**bearer(manager), "If-Match": "*"},
    )

    body = assert_error_shape(response, 422)
    assert field in body["errors"]
    assert fresh(CoverageModel, models["pooled"].id).accounts_per_csm == 300


# --- matrix -----------------------------------------------------------------------------------


def test_everyone_reads_the_matrix(client, bearer, viewer, models):
    body, _ = read(client, f"{API}/matrix", bearer(viewer))

    assert body["value_tiers"] == ["Strategic", "Growth", "Scale"]
    assert body["needs_tiers"] == ["High", "Medium", "Low"]
    cells = {(c["value_tier"], c["needs_tier"]): c["coverage_model_key"] for c in body["cells"]}
    assert len(cells) == 9
    assert cells[("Strategic", "High")] == "high_touch"
    assert cells[("Scale", "Low")] == "tech_touch"


def test_manager_puts_matrix_cells_with_if_match(client, bearer, manager, models):
    headers = bearer(manager)
    _, etag = read(client, f"{API}/matrix", headers)
    cell = {"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": models["pooled"].id}

    response = client.put(
        f"{API}/matrix", json={"cells": [cell]}, headers={**headers, "If-Match": etag}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["changed"] == 1
    assert response.headers["ETag"] != etag
    stored = fresh_all(select(CoverageMatrixCell).filter_by(value_tier="Scale", needs_tier="Low"))
    assert stored[0].coverage_model_id == models["pooled"].id
    assert len(fresh_all(select(CoverageMatrixCell))) == 9  # the cells not sent are kept


def test_a_stale_matrix_etag_is_409(client, bearer, manager, models):
    headers = bearer(manager)
    _, etag = read(client, f"{API}/matrix", headers)
    cell = {"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": models["pooled"].id}
    client.put(f"{API}/matrix", json={"cells": [cell]}, headers={**headers, "If-Match": etag})

    cell["coverage_model_id"] = models["high_touch"].id
    stale = client.put(
        f"{API}/matrix", json={"cells": [cell]}, headers={**headers, "If-Match": etag}
    )

    assert_error_shape(stale, 409)
    cells = fresh_all(select(CoverageMatrixCell).filter_by(value_tier="Scale", needs_tier="Low"))
    assert cells[0].coverage_model_id == models["pooled"].id


def test_a_matrix_put_without_if_match_is_428(client, bearer, manager, models):
    cell = {"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": models["pooled"].id}

    response = client.put(f"{API}/matrix", json={"cells": [cell]}, headers=bearer(manager))

    assert_error_shape(response, 428)


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_viewer_and_csm_cannot_put_the_matrix(client, bearer, models, role, request):
    cell = {"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": models["pooled"].id}
    headers = {**bearer(request.getfixturevalue(role)), "If-Match": "*"}

    assert_error_shape(client.put(f"{API}/matrix", json={"cells": [cell]}, headers=headers), 403)


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ([], "cells"),
        ([{"value_tier": "Scale", "needs_tier": "Low"}], "cells"),
        ([{"value_tier": "", "needs_tier": "Low", "coverage_model_id": 1}], "cells"),
        ([{"value_tier": " ", "needs_tier": "Low", "coverage_model_id": 1}], "cells"),
        ([{"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": 0}], "cells"),
        ([{"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": "1"}], "cells"),
        ([{"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": 1}] * 2, "cells"),
    ],
)
def test_invalid_matrix_cells_are_422(client, bearer, manager, models, cells, field):
    headers = {**bearer(manager), "If-Match": "*"}

    body = assert_error_shape(
        client.put(f"{API}/matrix", json={"cells": cells}, headers=headers), 422
    )

    assert field in body["errors"]


def test_a_matrix_cell_naming_an_unknown_model_is_422(client, bearer, manager, models):
    cell = {"value_tier": "Scale", "needs_tier": "Low", "coverage_model_id": 999999}
    headers = {**bearer(manager), "If-Match": "*"}

    body = assert_error_shape(
        client.put(f"{API}/matrix", json={"cells": [cell]}, headers=headers), 422
    )

    assert "existing coverage model" in body["message"]


# --- CSMs -------------------------------------------------------------------------------------


def test_csms_are_listed_with_profile_pools_and_load(client, bearer, viewer, csm, other_csm, book):
    db.session.add(CsmProfile(user_id=csm.id, fte=Decimal("0.5"), coverage_model_keys=["pooled"]))
    db.session.commit()

    response = client.get(f"{API}/csms", headers=bearer(viewer))

    assert response.status_code == 200, response.get_data(as_text=True)
    rows = {row["name"]: row for row in response.get_json()}
    assert set(rows) == {"Cleo CSM", "Otto Other"}  # managers and viewers are not CSMs
    cleo = rows["Cleo CSM"]
    assert (cleo["fte"], cleo["coverage_model_keys"], cleo["has_profile"]) == (
        0.5,
        ["pooled"],
        True,
    )
    assert cleo["load"]["accounts"] == 1 and cleo["load"]["arr_cents"] == 300_000_00
    assert (rows["Otto Other"]["fte"], rows["Otto Other"]["has_profile"]) == (1.0, False)


def test_a_csm_is_read_with_an_etag(client, bearer, csm, other_csm, book):
    body, etag = read(client, f"{API}/csms/{other_csm.id}", bearer(csm))

    assert (body["user_id"], body["active"], body["load"]["accounts"]) == (other_csm.id, True, 1)
    assert etag


def test_an_unknown_csm_or_a_user_who_is_not_one_is_404(client, bearer, manager, csm):
    headers = bearer(manager)
    for user_id in (999999, manager.id):
        assert_error_shape(client.get(f"{API}/csms/{user_id}", headers=headers), 404)
        response = client.patch(
            f"{API}/csms/{user_id}", json={"fte": 1}, headers={**headers, "If-Match": "*"}
        )
        assert_error_shape(response, 404)


def test_manager_patches_a_profile_and_it_persists(client, bearer, manager, csm, models):
    url, headers = f"{API}/csms/{csm.id}", bearer(manager)
    _, etag = read(client, url, headers)

    response = client.patch(
        url,
        json={"fte": 0.8, "regions": ["EMEA", " NA "], "coverage_model_keys": ["high_touch"]},
        headers={**headers, "If-Match": etag},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["fte"], body["regions"], body["coverage_model_keys"]) == (
        0.8,
        ["EMEA", "NA"],
        ["high_touch"],
    )
    assert response.headers["ETag"] != etag
    stored = fresh(CsmProfile, csm.id)
    assert (stored.fte, stored.regions, stored.languages) == (Decimal("0.80"), ["EMEA", "NA"], [])


def test_a_stale_profile_etag_is_409(client, bearer, manager, csm):
    url, headers = f"{API}/csms/{csm.id}", bearer(manager)
    _, etag = read(client, url, headers)
    assert (
        client.patch(url, json={"fte": 0.5}, headers={**headers, "If-Match": etag}).status_code
        == 200
    )

    stale = client.patch(url, json={"fte": 1.5}, headers={**headers, "If-Match": etag})

    assert_error_shape(stale, 409)
    assert fresh(CsmProfile, csm.id).fte == Decimal("0.50")


def test_a_profile_patch_without_if_match_is_428(client, bearer, manager, csm):
    assert_error_shape(
        client.patch(f"{API}/csms/{csm.id}", json={"fte": 0.5}, headers=bearer(manager)), 428
    )


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_viewer_and_csm_cannot_patch_a_profile_not_even_their_own(
    client, bearer, csm, role, request
):
    headers = {**bearer(request.getfixturevalue(role)), "If-Match": "*"}

    assert_error_shape(client.patch(f"{API}/csms/{csm.id}", json={"fte": 2}, headers=headers), 403)
    assert fresh(CsmProfile, csm.id) is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fte": -1}, "fte"),
        ({"fte": 0}, "fte"),
        ({"fte": 2.5}, "fte"),
        ({"fte": "full"}, "fte"),
        ({"fte": None}, "fte"),
        ({"regions": "EMEA"}, "regions"),
        ({"regions": [""]}, "regions"),
        ({"languages": ["x" * 51]}, "languages"),
        ({"coverage_model_keys": ["no_such_model"]}, "coverage_model_keys"),
        ({"pool_ids": [1]}, "pool_ids"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_profile_fields_are_422(client, bearer, manager, csm, models, payload, field):
    headers = {**bearer(manager), "If-Match": "*"}

    body = assert_error_shape(
        client.patch(f"{API}/csms/{csm.id}", json=payload, headers=headers), 422
    )

    assert field in body["errors"]
    assert fresh(CsmProfile, csm.id) is None


# --- assignments ------------------------------------------------------------------------------


def assign(client, headers: dict, **payload):
    return client.post(f"{API}/assignments", json=payload, headers=headers)


def test_manager_assigns_and_the_owner_and_history_change(client, bearer, manager, csm, book):
    account = book["unassigned"]

    response = assign(
        client, bearer(manager), account_ids=[account.id], csm_id=csm.id, reason="New logo"
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"changed": 1, "unchanged": 0, "handoffs": 0}
    assert fresh(Account, account.id).csm_id == csm.id
    [change] = fresh_all(select(AssignmentChange).filter_by(account_id=account.id))
    assert (change.from_csm_id, change.to_csm_id, change.reason, change.by_user_id) == (
        None,
        csm.id,
        "New logo",
        manager.id,
    )


def test_reassigning_opens_a_handoff_and_counts_what_stayed(client, bearer, admin, csm, book):
    ids = [book["mine"].id, book["theirs"].id]

    response = assign(client, bearer(admin), account_ids=ids, csm_id=csm.id, reason="Rebalance")

    assert response.get_json() == {"changed": 1, "unchanged": 1, "handoffs": 1}
    [handoff] = fresh_all(select(Handoff))
    assert (handoff.account_id, handoff.to_csm_id) == (book["theirs"].id, csm.id)


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_viewer_and_csm_cannot_assign(client, bearer, csm, book, role, request):
    headers = bearer(request.getfixturevalue(role))

    response = assign(
        client, headers, account_ids=[book["theirs"].id], csm_id=csm.id, reason="Mine now"
    )

    assert_error_shape(response, 403)
    assert fresh(Account, book["theirs"].id).csm_id != csm.id


def test_a_refused_assignment_is_422_naming_the_csm_and_the_reason(
    client, bearer, manager, csm, book, models
):
    give_model(book["unassigned"], models["high_touch"])  # csm has no profile: serves nothing

    response = assign(
        client, bearer(manager), account_ids=[book["unassigned"].id], csm_id=csm.id, reason="Fit"
    )

    body = assert_error_shape(response, 422)
    assert "Cleo CSM does not serve High-touch (1 accounts)" in body["errors"]["csm_id"][0]
    assert body["errors"]["refusals"] == ["model_not_served"]
    assert body["errors"]["account_ids"] == [str(book["unassigned"].id)]
    assert "override_reason" in body["errors"]
    assert fresh(Account, book["unassigned"].id).csm_id is None
    assert fresh_all(select(AssignmentChange)) == []


def test_an_override_with_a_reason_passes_an_overridable_refusal(
    client, bearer, manager, csm, book, models
):
    give_model(book["unassigned"], models["high_touch"])

    response = assign(
        client,
        bearer(manager),
        account_ids=[book["unassigned"].id],
        csm_id=csm.id,
        reason="Fit",
        override_reason="Covering for parental leave",
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    [change] = fresh_all(select(AssignmentChange))
    assert change.overridden and "Covering for parental leave" in change.reason
    assert fresh(Account, book["unassigned"].id).csm_id == csm.id


def test_an_inactive_csm_is_refused(client, bearer, manager, book):
    idle = UserFactory(role="csm", name="Ida Idle", active=False)

    response = assign(
        client, bearer(manager), account_ids=[book["unassigned"].id], csm_id=idle.id, reason="x"
    )

    body = assert_error_shape(response, 422)
    assert body["errors"]["refusals"] == ["inactive"]
    assert body["errors"]["csm_id"] == ["Ida Idle is inactive."]


def test_a_user_who_is_not_a_csm_is_refused_even_with_an_override(client, bearer, manager, book):
    response = assign(
        client,
        bearer(manager),
        account_ids=[book["unassigned"].id],
        csm_id=manager.id,
        reason="x",
        override_reason="I insist",
    )

    body = assert_error_shape(response, 422)
    assert body["errors"]["refusals"] == ["not_csm"]
    assert "override_reason" not in body["errors"]


def test_a_pool_of_another_model_is_refused_naming_the_pool(client, bearer, manager, book, models):
    pool = Pool(name="Digital", coverage_model_id=models["tech_touch"].id, member_ids=[])
    db.session.add(pool)
    db.session.commit()
    give_model(book["unassigned"], models["high_touch"])

    response = assign(
        client, bearer(manager), account_ids=[book["unassigned"].id], pool_id=pool.id, reason="x"
    )

    body = assert_error_shape(response, 422)
    assert body["errors"]["refusals"] == ["pool_model"]
    assert "Digital" in body["errors"]["pool_id"][0]


def test_stale_expected_versions_are_409_and_nothing_moves(client, bearer, manager, csm, book):
    account = book["unassigned"]
    headers = bearer(manager)
    client.patch(
        f"/api/v1/accounts/{account.id}", json={"plan": "X", "version": 1}, headers=headers
    )

    response = assign(
        client,
        headers,
        account_ids=[account.id],
        csm_id=csm.id,
        reason="x",
        expected_versions={str(account.id): 1},
    )

    assert_error_shape(response, 409)
    assert fresh(Account, account.id).csm_id is None


def test_current_expected_versions_pass(client, bearer, manager, csm, book):
    account = book["unassigned"]

    response = assign(
        client,
        bearer(manager),
        account_ids=[account.id],
        csm_id=csm.id,
        reason="x",
        expected_versions={str(account.id): 1},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert fresh(Account, account.id).version == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": MISSING}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"csm_id": None}, "csm_id"),
        ({"csm_id": 0}, "csm_id"),
        ({"account_ids": []}, "account_ids"),
        ({"account_ids": ["one"]}, "account_ids"),
        ({"expected_versions": {"abc": 1}}, "expected_versions"),
        ({"expected_versions": {"ACCOUNT": 0}}, "expected_versions"),
        ({"expected_versions": {"ACCOUNT": "1"}}, "expected_versions"),
        ({"expected_versions": {"424242": 1}}, "expected_versions"),
        ({"handoff_due": "tomorrow"}, "handoff_due"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_assignments_are_422(client, bearer, manager, csm, book, payload, field):
    account_id = book["unassigned"].id
    base = {"account_ids": [account_id], "csm_id": csm.id, "reason": "Fit"}
    versions = payload.get("expected_versions", {})
    if "ACCOUNT" in versions:  # the id is only known once the book exists
        payload = {"expected_versions": {str(account_id): versions["ACCOUNT"]}}
    body = {k: v for k, v in (base | payload).items() if v is not MISSING}

    response = client.post(f"{API}/assignments", json=body, headers=bearer(manager))

    assert field in assert_error_shape(response, 422)["errors"]
    assert fresh(Account, account_id).csm_id is None


def test_an_unknown_account_is_404(client, bearer, manager, csm, book):
    response = assign(
        client,
        bearer(manager),
        account_ids=[book["unassigned"].id, 999999],
        csm_id=csm.id,
        reason="x",
    )

    body = assert_error_shape(response, 404)
    assert "999999" in body["message"]
    assert fresh(Account, book["unassigned"].id).csm_id is None


@pytest.mark.parametrize("field", ["csm_id", "pool_id"])
def test_an_unknown_csm_or_pool_is_422(client, bearer, manager, book, field):
    response = assign(
        client, bearer(manager), account_ids=[book["unassigned"].id], reason="x", **{field: 999999}
    )

    assert field in assert_error_shape(response, 422)["errors"]


# --- account coverage -------------------------------------------------------------------------


def test_a_csm_reads_their_accounts_coverage_but_not_another_csms(
    client, bearer, manager, csm, book
):
    assign(client, bearer(manager), account_ids=[book["unassigned"].id], csm_id=csm.id, reason="Hi")
    headers = bearer(csm)

    response = client.get(f"{API}/accounts/{book['unassigned'].id}", headers=headers)

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["csm_id"], body["version"]) == (csm.id, 2)
    assert [h["reason"] for h in body["history"]] == ["Hi"]
    assert_error_shape(client.get(f"{API}/accounts/{book['theirs'].id}", headers=headers), 404)
    assert_error_shape(client.get(f"{API}/accounts/999999", headers=headers), 404)


# --- handoffs ---------------------------------------------------------------------------------


@pytest.fixture
def handoff(client, bearer, manager, csm, book) -> Handoff:
    """Move other_csm's account to csm, which opens a handoff between them."""
    response = assign(
        client, bearer(manager), account_ids=[book["theirs"].id], csm_id=csm.id, reason="Move"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return fresh_all(select(Handoff))[0]


def handoff_ids(client, headers: dict, query: str = "") -> list[int]:
    response = client.get(f"{API}/handoffs{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [h["id"] for h in response.get_json()]


def test_both_csms_and_the_viewer_see_a_handoff_another_csm_does_not(
    client, bearer, csm, other_csm, viewer, handoff
):
    third = UserFactory(role="csm")

    for user in (csm, other_csm, viewer):
        assert handoff_ids(client, bearer(user)) == [handoff.id]
    assert handoff_ids(client, bearer(third)) == []
    row = client.get(f"{API}/handoffs", headers=bearer(csm)).get_json()[0]
    assert (row["account_name"], row["from_csm_name"], row["to_csm_name"]) == (
        "Globex Main",
        "Otto Other",
        "Cleo CSM",
    )


def test_a_csm_in_the_handoff_completes_it(client, bearer, other_csm, handoff):
    headers = bearer(other_csm)

    response = client.post(
        f"{API}/handoffs/{handoff.id}/complete", headers={**headers, "If-Match": '"1"'}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["done_at"]
    assert fresh(Handoff, handoff.id).done_at is not None
    assert handoff_ids(client, headers) == []
    assert handoff_ids(client, headers, "?all=true") == [handoff.id]


def test_a_viewer_or_a_csm_outside_the_handoff_cannot_complete_it(client, bearer, viewer, handoff):
    for user in (viewer, UserFactory(role="csm")):
        response = client.post(f"{API}/handoffs/{handoff.id}/complete", headers=bearer(user))
        assert_error_shape(response, 403)
    assert fresh(Handoff, handoff.id).done_at is None


def test_completing_an_unknown_handoff_is_404(client, bearer, manager):
    assert_error_shape(client.post(f"{API}/handoffs/999999/complete", headers=bearer(manager)), 404)


def test_a_handoff_completed_at_a_stale_version_is_409(client, bearer, manager, other_csm, handoff):
    url = f"{API}/handoffs/{handoff.id}/complete"
    first = client.post(url, json={"version": 1}, headers=bearer(manager))
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.headers["ETag"] == '"2"'

    stale = client.post(url, headers={**bearer(other_csm), "If-Match": '"1"'})

    assert "Someone else saved this handoff" in assert_error_shape(stale, 409)["message"]


def test_completing_a_handoff_without_a_version_is_428(client, bearer, manager, handoff):
    response = client.post(f"{API}/handoffs/{handoff.id}/complete", headers=bearer(manager))

    assert_error_shape(response, 428)
    assert fresh(Handoff, handoff.id).done_at is None
