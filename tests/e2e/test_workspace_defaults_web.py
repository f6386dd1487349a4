"""Pages never create the default schemes or coverage models; the empty state offers a button."""

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import CoverageMatrixCell, CoverageModel, TierScheme, TierSchemeVersion
from cstier.services.account_health import scorecards
from cstier.services.coverage import profiles
from cstier.services.coverage.seed import seed_default_coverage
from cstier.services.jobs import background
from cstier.services.onboarding import plans
from tests.e2e.books import seed_attribute, seed_book, seed_endpoint
from tests.e2e.previews import seed_preview
from tests.e2e.test_bad_input import csrf_token, other_app
from tests.e2e.web_routes import build, web_get_rules
from tests.factories import PASSWORD

SEEDED_TABLES = (TierScheme, TierSchemeVersion, CoverageModel, CoverageMatrixCell)
SCHEMES_BUTTON = "Create the default schemes"
COVERAGE_BUTTON = "Create the default coverage models"


def counts() -> dict[str, int]:
    """Count the rows of every table the defaults live in, as committed."""
    with Session(db.engine) as fresh:
        return {
            m.__tablename__: fresh.scalar(select(func.count()).select_from(m))
            for m in SEEDED_TABLES
        }


EMPTY = {m.__tablename__: 0 for m in SEEDED_TABLES}


@pytest.fixture
def csrf_app(app, database_url, instance_path):
    yield from other_app(app, database_url, instance_path, WTF_CSRF_ENABLED=True)


@pytest.mark.parametrize("role", ["admin", "manager", "csm", "viewer"])
@pytest.mark.parametrize("path", ["/tiers/", "/coverage/"])
def test_a_page_read_on_a_fresh_workspace_writes_nothing(client, auth, request, role, path):
    auth.login(request.getfixturevalue(role).email)

    first, second = client.get(path), client.get(path)

    assert (first.status_code, second.status_code) == (200, 200)
    assert counts() == EMPTY


@pytest.mark.parametrize(
    ("role", "sees_button"), [("admin", True), ("manager", False), ("viewer", False)]
)
def test_tiers_empty_state_offers_the_defaults_to_admins_only(
    client, auth, request, role, sees_button
):
    auth.login(request.getfixturevalue(role).email)

    html = client.get("/tiers/").get_data(as_text=True)

    assert "No tier schemes yet" in html and "Value tiers" in html
    assert (SCHEMES_BUTTON in html) is sees_button
    assert ('action="/tiers/schemes/defaults"' in html) is sees_button
    assert ("Ask an admin" in html) is not sees_button


@pytest.mark.parametrize(
    ("role", "sees_button"),
    [("admin", True), ("manager", True), ("csm", False), ("viewer", False)],
)
def test_coverage_empty_state_offers_the_defaults_to_managers(
    client, auth, request, role, sees_button
):
    auth.login(request.getfixturevalue(role).email)

    html = client.get("/coverage/").get_data(as_text=True)

    assert "No coverage models yet" in html and "High-touch" in html
    assert (COVERAGE_BUTTON in html) is sees_button
    assert ('action="/coverage/models/defaults"' in html) is sees_button
    assert 'id="coverage-matrix"' not in html


def test_admin_creates_the_default_schemes_from_the_button(client, auth, admin):
    auth.login(admin.email)

    response = client.post("/tiers/schemes/defaults")

    assert response.status_code == 302 and response.headers["Location"].endswith("/tiers/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created the default schemes: Value tiers, Needs tiers" in page
    assert "No tier schemes yet" not in page and SCHEMES_BUTTON not in page
    assert counts()["tier_scheme"] == 5
    with Session(db.engine) as fresh:
        assert set(fresh.scalars(select(TierSchemeVersion.created_by_id))) == {admin.id}
    again = client.post("/tiers/schemes/defaults", follow_redirects=True)
    assert "already has tier schemes" in again.get_data(as_text=True)
    assert counts()["tier_scheme"] == 5


@pytest.mark.parametrize("role", ["manager", "csm", "viewer"])
def test_only_admins_create_the_default_schemes(client, auth, request, role):
    auth.login(request.getfixturevalue(role).email)

    assert client.post("/tiers/schemes/defaults").status_code == 403
    assert counts() == EMPTY


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_manager_creates_the_default_coverage_models_from_the_button(client, auth, request, role):
    auth.login(request.getfixturevalue(role).email)

    response = client.post("/coverage/models/defaults")

    assert response.status_code == 302 and response.headers["Location"].endswith("/coverage/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created the default coverage models and matrix" in page
    assert 'id="coverage-matrix"' in page and COVERAGE_BUTTON not in page
    assert counts() == {**EMPTY, "coverage_model": 3, "coverage_matrix_cell": 9}
    again = client.post("/coverage/models/defaults", follow_redirects=True)
    assert "already has coverage models" in again.get_data(as_text=True)
    assert counts()["coverage_model"] == 3


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_csms_and_viewers_may_not_create_coverage_models(client, auth, request, role):
    auth.login(request.getfixturevalue(role).email)

    assert client.post("/coverage/models/defaults").status_code == 403
    assert counts() == EMPTY


@pytest.mark.parametrize(
    ("page", "action", "table"),
    [
        ("/tiers/", "/tiers/schemes/defaults", "tier_scheme"),
        ("/coverage/", "/coverage/models/defaults", "coverage_model"),
    ],
)
def test_the_buttons_need_the_csrf_token(csrf_app, admin, page, action, table):
    client = csrf_app.test_client()
    login_token = csrf_token(client, "/login")
    client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": login_token}
    )
    html = client.get(page).get_data(as_text=True)
    form = re.search(rf'<form method="post" action="{action}".*?</form>', html, re.DOTALL)
    assert form and 'name="csrf_token"' in form.group(0)

    refused = client.post(action)
    assert refused.status_code == 400 and counts()[table] == 0

    accepted = client.post(action, data={"csrf_token": csrf_token(client, page)})
    assert accepted.status_code == 302 and counts()[table] > 0


def test_a_manager_cannot_re_tier_an_empty_workspace_into_the_defaults(client, auth, manager):
    auth.login(manager.email)
    page = client.get("/tiers/").get_data(as_text=True)
    assert 'id="run-form"' not in page  # nothing to run until an admin creates schemes
    response = client.post("/tiers/runs", data={"run": "Re-tier now"}, follow_redirects=True)
    assert "no tier schemes to run yet" in response.get_data(as_text=True)
    assert counts() == EMPTY


def table_counts() -> dict[str, int]:
    """Count the committed rows of every table."""
    with Session(db.engine) as fresh:
        return {
            t.name: fresh.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables
        }


def test_no_get_route_writes_a_row(client, auth, admin, csm, manager):
    """Every web GET route, as an admin, on a workspace whose settings row was never saved."""
    book = seed_book(db.session, csm, manager, "Readonly")
    actor = Actor(manager.id, manager.role)
    seed_default_coverage(db.session, actor)
    model = db.session.scalars(select(CoverageModel)).first()
    values = {"name": "Read pool", "coverage_model_id": model.id, "member_ids": [csm.id]}
    pool = profiles.save_pool(db.session, actor, None, values, None)
    plans.ensure_default_plans(db.session)
    scorecards.ensure_default_scorecard(db.session)
    db.session.commit()
    ids = vars(book) | {
        "scheme_id": db.session.scalars(select(TierScheme.id)).first(),
        "pool_id": pool.id,
        "model_id": model.id,
        "attribute_id": seed_attribute(db.session, actor),
        "user_id": csm.id,
        "endpoint_id": seed_endpoint(db.session, actor),
        "plan_id": plans.list_plans(db.session)[0].id,
        "scorecard_id": scorecards.list_scorecards(db.session)[0].id,
        "preview_id": seed_preview(
            db.session, actor, db.session.scalars(select(TierScheme.id)).first()
        ),
        "job_id": background.enqueue(db.session, actor, "report", {}).id,
    }
    auth.login(admin.email)
    before = table_counts()

    answers = {rule.rule: client.get(build(rule, ids)).status_code for rule in web_get_rules()}

    assert {r: s for r, s in answers.items() if s >= 500} == {}
    assert table_counts() == before
    assert "workspace" not in {n for n, c in before.items() if c}  # the settings row stays unsaved
