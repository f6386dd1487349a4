"""The WTForms rule builder over HTTP: form ↔ JSON, validate as you go, preview, save, create."""

import copy
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.tiering import DEFAULT_FIELDS, DEFAULT_SCHEMES
from cstier.domain.tiering.defaults import NEEDS_TIERS, VALUE_TIERS
from cstier.extensions import db
from cstier.models import TierScheme, TierSchemeVersion
from cstier.services.tiering import schemes
from cstier.web.tiers.builder_convert import build_form, definition_to_formdata, form_to_definition
from tests.e2e.previews import finish_preview
from tests.factories import AccountFactory, CompanyFactory

PERCENTILES = {
    "dimension": "value",
    "name": "Value by rank",
    "goal": "Rank accounts.",
    "method": "percentiles",
    "field": "arr",
    "label": "ARR",
    "expansion": {"field": "expansion_potential", "weight": 0.5},
    "strategic_flag": {"field": "is_strategic", "tier": "Top"},
    "percentiles": [
        {"tier": "Top", "share": 10},
        {"tier": "Next", "share": 30},
        {"tier": "Rest", "share": 60},
    ],
    "hysteresis": {"runs": 2},
}
NEEDS_INVERTED = copy.deepcopy(NEEDS_TIERS) | {"name": "Needs inverted"}
NEEDS_INVERTED["components"][3]["invert"] = True
RULES_ANY = {
    "dimension": "segment",
    "name": "Mixed rules",
    "method": "rules",
    "rules": [
        {
            "name": "Big or strategic",
            "tier": "Focus",
            "match": "any",
            "conditions": [
                {"field": "employees", "op": "between", "value": [1000, 5000]},
                {"field": "is_strategic", "op": "eq", "value": True},
                {"field": "region", "op": "in", "value": ["NA", "EMEA"]},
                {"field": "industry", "op": "is_empty"},
                {"field": "industry", "op": "contains", "value": "soft"},
            ],
        }
    ],
    "default": "Other",
}
ROUND_TRIP = [*DEFAULT_SCHEMES, PERCENTILES, NEEDS_INVERTED, RULES_ANY]


@pytest.mark.parametrize("definition", ROUND_TRIP, ids=[d["name"] for d in ROUND_TRIP])
def test_form_and_json_round_trip_for_every_method(app, definition):
    with app.test_request_context():
        form = build_form(definition, DEFAULT_FIELDS)

        assert form.validate(), form.errors
        assert form_to_definition(form, DEFAULT_FIELDS) == definition


@pytest.fixture
def seeded(db_session):
    schemes.ensure_default_schemes(db_session)
    db_session.commit()
    return {s.name: s.id for s in db_session.scalars(select(TierScheme))}


def posted(definition: dict, **extra) -> dict:
    return definition_to_formdata(definition) | extra


def version_count(scheme_id: int) -> int:
    with Session(db.engine) as fresh:
        stmt = select(func.count(TierSchemeVersion.id)).where(
            TierSchemeVersion.scheme_id == scheme_id
        )
        return fresh.scalar(stmt)


@pytest.mark.parametrize("name", ["Value tiers", "Needs tiers", "Company size"])
def test_builder_page_renders_the_scheme_as_rows(client, auth, admin, seeded, name):
    auth.login(admin.email)

    page = client.get(f"/tiers/schemes/{seeded[name]}/builder").get_data(as_text=True)

    assert 'hx-trigger="change delay:300ms"' in page
    assert 'hx-post="/tiers/builder/validate"' in page
    assert "Save as new version" in page
    first_row = {"Value tiers": "bands-0-tier", "Needs tiers": "components-0-field"}
    assert f'id="{first_row.get(name, "rules-0-conditions-0-op")}"' in page


def test_scheme_page_links_to_the_builder(client, auth, admin, seeded):
    auth.login(admin.email)

    page = client.get(f"/tiers/schemes/{seeded['Value tiers']}").get_data(as_text=True)

    assert f"/tiers/schemes/{seeded['Value tiers']}/builder" in page


def test_validate_names_a_gap_between_bands(client, auth, admin, seeded):
    auth.login(admin.email)
    gapped = copy.deepcopy(VALUE_TIERS)
    gapped["bands"][2]["max"] = 40_000

    answer = client.post("/tiers/builder/validate", data=posted(gapped)).get_data(as_text=True)

    assert (
        "Bands &#39;Scale&#39; and &#39;Growth&#39; leave a gap between 40,000 and 50,000" in answer
    )
    assert 'id="scheme-error"' in answer


def test_validate_names_a_wrong_operator_for_the_field_type(client, auth, admin, seeded):
    auth.login(admin.email)
    data = posted(DEFAULT_SCHEMES[3], **{"rules-0-conditions-0-op": "lt"})

    answer = client.post("/tiers/builder/validate", data=data).get_data(as_text=True)

    assert "Operator &#39;lt&#39; does not apply to text field &#39;region&#39;" in answer


def test_validate_re_renders_field_errors_out_of_band(client, auth, admin, seeded):
    auth.login(admin.email)
    data = posted(VALUE_TIERS, **{"bands-1-tier": "", "bands-0-min": "lots"})

    answer = client.post("/tiers/builder/validate", data=data).get_data(as_text=True)

    assert 'id="bands-1-tier-errors" hx-swap-oob="true">This field is required.' in answer
    assert 'id="bands-0-min-errors" hx-swap-oob="true">Not a valid float value.' in answer
    assert 'id="bands-2-tier-errors" hx-swap-oob="true"></div>' in answer


def test_validate_says_a_valid_scheme_is_valid_without_saving(client, auth, admin, seeded):
    auth.login(admin.email)

    answer = client.post("/tiers/builder/validate", data=posted(VALUE_TIERS))

    assert answer.status_code == 200
    assert 'id="scheme-ok"' in answer.get_data(as_text=True)
    assert version_count(seeded["Value tiers"]) == 1


def test_save_creates_a_new_version_with_the_form_definition(client, auth, admin, seeded):
    auth.login(admin.email)
    edited = copy.deepcopy(VALUE_TIERS)
    edited["bands"][0]["min"] = 300_000
    edited["bands"][1]["max"] = 300_000

    response = client.post(
        f"/tiers/schemes/{seeded['Value tiers']}/builder",
        data=posted(edited, action="save", version="1"),
    )

    assert response.status_code == 302
    with Session(db.engine) as fresh:
        stored = fresh.get(TierScheme, seeded["Value tiers"])
        assert stored.current_version == 2
        assert stored.current.definition == edited


def test_an_invalid_save_is_refused_and_nothing_is_saved(client, auth, admin, seeded):
    auth.login(admin.email)
    data = posted(DEFAULT_SCHEMES[2], **{"rules-0-conditions-0-value": "many", "action": "save"})

    response = client.post(f"/tiers/schemes/{seeded['Company size']}/builder", data=data)

    assert response.status_code == 400
    assert "must be a number, got &#39;many&#39;" in response.get_data(as_text=True)
    assert version_count(seeded["Company size"]) == 1


@pytest.mark.parametrize("role", ["manager", "csm", "viewer"])
def test_only_admins_save_or_validate(client, auth, seeded, request, role):
    user = request.getfixturevalue(role)
    auth.login(user.email)
    url = f"/tiers/schemes/{seeded['Value tiers']}/builder"

    assert client.get(url).status_code == 200
    assert client.post(url, data=posted(VALUE_TIERS, action="save")).status_code == 403
    assert client.post("/tiers/builder/validate", data=posted(VALUE_TIERS)).status_code == 403
    assert client.get("/tiers/builder/new").status_code == 403
    assert version_count(seeded["Value tiers"]) == 1


def test_preview_shows_the_from_to_matrix(app, client, auth, admin, seeded):
    AccountFactory(arr_cents=300_000_00, company=CompanyFactory())
    AccountFactory(arr_cents=20_000_00, company=CompanyFactory())
    auth.login(admin.email)

    response = client.post(
        f"/tiers/schemes/{seeded['Value tiers']}/builder",
        data=posted(VALUE_TIERS, action="preview"),
    )

    assert response.status_code == 200
    queued = response.get_data(as_text=True)
    assert 'id="preview-job"' in queued
    ids = re.findall(r'\bid="([^"]+)"', queued)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    page = client.get(finish_preview(app, client)).get_data(as_text=True)
    assert 'id="movement"' in page
    assert "<td>Strategic</td>" in page and "<td>Scale</td>" in page
    assert version_count(seeded["Value tiers"]) == 1
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []


def test_rows_are_added_and_removed(client, auth, admin, seeded):
    auth.login(admin.email)
    url = f"/tiers/schemes/{seeded['Value tiers']}/builder"

    added = client.post(url, data=posted(VALUE_TIERS, action="add:bands")).get_data(as_text=True)
    removed = client.post(url, data=posted(VALUE_TIERS, action="remove:bands-1"))
    condition = client.post(
        f"/tiers/schemes/{seeded['Company size']}/builder",
        data=posted(DEFAULT_SCHEMES[2], action="add:rules-1-conditions"),
    ).get_data(as_text=True)

    assert 'id="bands-3-tier"' in added
    assert 'id="bands-1-tier"' not in removed.get_data(as_text=True)
    assert 'id="bands-2-tier"' in removed.get_data(as_text=True)
    assert 'id="rules-1-conditions-1-field"' in condition


def test_switching_method_starts_the_new_rows(client, auth, admin, seeded):
    auth.login(admin.email)
    data = posted(VALUE_TIERS, method="percentiles", action="method")

    page = client.post(f"/tiers/schemes/{seeded['Value tiers']}/builder", data=data)

    assert 'id="percentiles-0-share"' in page.get_data(as_text=True)
    assert 'id="bands-0-tier"' not in page.get_data(as_text=True)


NEW_SCHEME = {
    "dimension": "segment",
    "name": "Seat segments",
    "goal": "Separate big deployments.",
    "method": "rules",
    "rules": [
        {
            "name": "Large",
            "tier": "Large",
            "conditions": [{"field": "seats", "op": "ge", "value": 500}],
        }
    ],
    "default": "Small",
}


def test_admin_creates_a_rule_based_segment_scheme(client, auth, admin, seeded):
    auth.login(admin.email)
    assert client.get("/tiers/builder/new").status_code == 200

    response = client.post("/tiers/builder/new", data=posted(NEW_SCHEME, action="create"))

    assert response.status_code == 302
    with Session(db.engine) as fresh:
        created = fresh.scalars(select(TierScheme).where(TierScheme.name == "Seat segments")).one()
        assert created.dimension == "segment"
        assert created.current.definition == NEW_SCHEME
    assert response.headers["Location"].endswith(f"/tiers/schemes/{created.id}/builder")


def test_creating_a_scheme_with_a_taken_name_is_refused(client, auth, admin, seeded):
    auth.login(admin.email)
    data = posted(NEW_SCHEME | {"name": "Region"}, action="create")

    response = client.post("/tiers/builder/new", data=data)

    assert response.status_code == 400
    assert "A scheme named &#39;Region&#39; already exists." in response.get_data(as_text=True)


def test_a_builder_save_over_a_newer_version_is_409_and_keeps_the_rows(client, auth, admin, seeded):
    auth.login(admin.email)
    url = f"/tiers/schemes/{seeded['Value tiers']}/builder"
    assert 'name="version" type="hidden" value="1"' in client.get(url).text
    theirs, mine = copy.deepcopy(VALUE_TIERS), copy.deepcopy(VALUE_TIERS)
    theirs["goal"] = "Their goal"
    mine["bands"][0]["min"] = 300_000
    mine["bands"][1]["max"] = 300_000
    assert client.post(url, data=posted(theirs, action="save", version="1")).status_code == 302

    response = client.post(url, data=posted(mine, action="save", version="1"))

    assert response.status_code == 409
    assert "Someone saved version 2 of this scheme" in response.text
    assert 'value="300000"' in response.text  # the user's edited band is still in the form
    assert version_count(seeded["Value tiers"]) == 2
