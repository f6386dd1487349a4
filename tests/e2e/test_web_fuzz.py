"""Hostile path and query values on every web GET route: refused or ignored, never a 500."""

import pytest
from sqlalchemy import select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import CoverageModel, TierScheme
from cstier.services.account_health import scorecards
from cstier.services.coverage import profiles
from cstier.services.coverage.seed import seed_default_coverage
from cstier.services.jobs import background
from cstier.services.onboarding import plans
from cstier.services.setup import set_up_workspace
from tests.conftest import AuthActions, make_app, truncate_all
from tests.e2e.books import seed_attribute, seed_book, seed_endpoint
from tests.e2e.previews import seed_preview
from tests.e2e.web_routes import ARGS_READ, RecordingRequest, build, int_params, web_get_rules
from tests.factories import UserFactory

# Names sent to every route at once; each view's own names are found by recording its reads.
QUERY_ARGS = [
    "page",
    "per_page",
    "q",
    "region",
    "industry",
    "plan",
    "lifecycle_stage",
    "csm_id",
    "arr_min",
    "arr_max",
    "sort",
    "dir",
    "tier_scheme",
    "tier",
    "scheme",
    "company_id",
    "model",
    "flagged",
    "all",
    "week",
    "since",
    "date",
    "account_id",
    "k",
    "features",
    "next",
]
# Values PostgreSQL or Python choke on: overflow, non-finite numbers, NUL, impossible dates.
HOSTILE_VALUES = (
    "10000000000000000000",
    "2147483648",
    "1e30",
    "NaN",
    "Infinity",
    "-1",
    "\x00",
    "a\x00b",
    "'; DROP TABLE account; --",
    "x" * 5000,
    "2026-13-45",
    "²",
)
# Each name a view reads gets, alone, the values most likely to pass one parser and crash later.
ONE_BY_ONE = ("10000000000000000000", "1e30", "NaN", "\x00", "2026-13-45", "²")
HOSTILE_IDS = ("2147483648", "10000000000000000000", "0")


@pytest.fixture(autouse=True)
def _clean_database():
    """Keep the module's one seeded book between tests; `clients` empties the tables at the end."""
    yield


@pytest.fixture(scope="module")
def clients(app, database_url, instance_path):
    """Signed-in admin and CSM clients of an app that records the query names views read.

    The book is seeded once for the module (a second app on the test database serves it).
    """
    variant = make_app(database_url, instance_path)
    variant.request_class = RecordingRequest
    with app.app_context():
        admin = UserFactory(role="admin")
        csm = UserFactory(role="csm")
        book = seed_book(db.session, csm, admin, "Fuzz")
        actor = Actor(admin.id, admin.role)
        seed_default_coverage(db.session, actor)
        set_up_workspace(db.session)  # onboarding plans and the default scorecard
        model = db.session.scalars(select(CoverageModel)).first()
        values = {"name": "Fuzz pool", "coverage_model_id": model.id, "member_ids": [csm.id]}
        ids = {
            "account_id": book.account_id,
            "company_id": book.company_id,
            "scheme_id": db.session.scalars(select(TierScheme)).first().id,
            "user_id": csm.id,
            "pool_id": profiles.save_pool(db.session, actor, None, values, None).id,
            "model_id": model.id,
            "department_id": book.department_id,
            "contact_id": book.contact_id,
            "attribute_id": seed_attribute(db.session, actor),
            "endpoint_id": seed_endpoint(db.session, actor),
            "plan_id": plans.list_plans(db.session)[0].id,
            "scorecard_id": scorecards.list_scorecards(db.session)[0].id,
            "preview_id": seed_preview(
                db.session, actor, db.session.scalars(select(TierScheme)).first().id
            ),
            "job_id": background.enqueue(db.session, actor, "report", {}).id,
        }
        emails = [admin.email, csm.email]
    signed_in = []
    for email in emails:
        client = variant.test_client()
        AuthActions(client).login(email)
        signed_in.append(client)
    yield signed_in, ids
    truncate_all(app)
    with variant.app_context():
        db.session.remove()
        db.engine.dispose()


def names_read(client, rule, ids) -> set[str]:
    """Return the query names the view asks for, with and without harmless values."""
    ARGS_READ.clear()
    client.get(build(rule, ids))
    client.get(build(rule, ids, dict.fromkeys(QUERY_ARGS, "1")))
    return set(ARGS_READ)


def hostile_urls(rule, ids, names: set[str]) -> list[str]:
    urls = [build(rule, ids | {name: value}) for name in int_params(rule) for value in HOSTILE_IDS]
    urls += [build(rule, ids, dict.fromkeys(QUERY_ARGS, value)) for value in HOSTILE_VALUES]
    urls += [build(rule, ids, {name: value}) for name in sorted(names) for value in ONE_BY_ONE]
    return urls


@pytest.mark.parametrize("rule", web_get_rules(), ids=lambda r: r.rule)
def test_no_hostile_value_causes_a_server_error(clients, rule):
    signed_in, ids = clients
    failures = []
    for client in signed_in:
        for url in hostile_urls(rule, ids, names_read(client, rule, ids)):
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{url[:120]!r} -> {status}")

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/accounts/?q=%00", 400, "NUL character"),
        ("/companies/?page=10000000000000000000", 404, "Not found"),  # past the last page
        ("/accounts/?page=10000000000000000000", 404, "Not found"),
        ("/alerts?page=10000000000000000000", 200, "Tier-change alerts"),
        ("/accounts/?tier_scheme=2147483648&tier=Gold", 400, "whole number from 1 to"),
        ("/accounts/?arr_min=1e30", 200, "Some filters were not understood"),
        ("/imports/export/accounts.csv?arr_min=NaN", 400, "ARR from: Enter a finite number"),
        ("/imports/export/accounts.xlsx?arr_max=1e30", 400, "filters were not understood"),
        ("/accounts/2147483648", 404, "Not found"),
        ("/companies/10000000000000000000", 404, "Not found"),
    ],
)
def test_a_hostile_value_gets_a_message_the_user_can_act_on(clients, url, status, message):
    admin_client = clients[0][0]

    response = admin_client.get(url)

    assert response.status_code == status
    assert message in response.get_data(as_text=True)
