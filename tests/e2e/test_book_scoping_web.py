"""A CSM walks every web GET route and sees nothing of another CSM's book or of unassigned accounts."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import CoverageModel, TierScheme
from cstier.services.account_health import scorecards
from cstier.services.account_health.scoring import score_accounts
from cstier.services.coverage import profiles
from cstier.services.coverage.seed import seed_default_coverage
from cstier.services.exports import EXPORTS
from cstier.services.jobs import background
from cstier.services.onboarding import plans
from cstier.services.onboarding.check import check_onboarding
from cstier.services.setup import set_up_workspace
from cstier.services.tiering import schemes
from cstier.services.tiering.run import run_tiering
from tests.conftest import AuthActions, truncate_all
from tests.e2e.books import seed_attribute, seed_book, seed_endpoint
from tests.e2e.previews import seed_preview
from tests.e2e.web_routes import build, web_get_rules
from tests.factories import UserFactory

OWN = "Ownbook"
# The other CSM's book and the unassigned accounts: no text of theirs may reach the CSM.
FOREIGN = ("Otherbook", "Nobodysbook")

# Routes a CSM may see in full, with the reason. Empty: customers (companies included) are
# scoped to the book; what every page shares is the workspace's set-up (schemes, coverage models,
# pools, runs) and colleagues' names and loads, none of which carries a book's marker.
SHARED_IN_FULL: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _clean_database():
    """Keep the module's one seeded workspace between tests; `walk` empties the tables at the end."""
    yield


@pytest.fixture(scope="module")
def walk(app):
    """A signed-in CSM's client, and the ids of their own book and of another CSM's book."""
    with app.app_context():
        manager = UserFactory(role="cs_manager")
        csm, other_csm = UserFactory(role="csm"), UserFactory(role="csm")
        own = seed_book(db.session, csm, manager, OWN)
        other = seed_book(db.session, other_csm, manager, FOREIGN[0])
        seed_book(db.session, UserFactory(role="viewer"), manager, FOREIGN[1])  # no CSM owns it
        actor = Actor(manager.id, manager.role)
        seed_default_coverage(db.session, actor)
        model = db.session.scalars(select(CoverageModel)).first()
        values = {"name": "Walk pool", "coverage_model_id": model.id, "member_ids": [csm.id]}
        pool = profiles.save_pool(db.session, actor, None, values, None)
        run_tiering(db.session, Actor(manager.id, "cs_manager"), trigger="test")
        set_up_workspace(db.session)  # onboarding plans, cadences, the default scorecard
        check_onboarding(db.session)
        score_accounts(db.session)
        scheme = db.session.scalars(select(TierScheme).order_by(TierScheme.id)).first()
        tier = schemes.validate(db.session, scheme.current.definition).tiers[0]  # both pinned there
        segment = {"scheme": scheme.key, "tier": tier}
        common = {
            "scheme_id": scheme.id,
            "pool_id": pool.id,
            "model_id": model.id,
            "attribute_id": seed_attribute(db.session, actor),
            "endpoint_id": seed_endpoint(db.session, actor),
            "plan_id": plans.list_plans(db.session)[0].id,
            "scorecard_id": scorecards.list_scorecards(db.session)[0].id,
            "preview_id": seed_preview(db.session, actor, scheme.id),
            "job_id": background.enqueue(db.session, actor, "report", {}).id,
        }
        mine = common | {"account_id": own.account_id, "company_id": own.company_id}
        mine |= {"department_id": own.department_id, "contact_id": own.contact_id}
        theirs = common | {"account_id": other.account_id, "company_id": other.company_id}
        theirs |= {"department_id": other.department_id, "contact_id": other.contact_id}
        ids = {"mine": mine | {"user_id": csm.id}, "theirs": theirs | {"user_id": other_csm.id}}
        ids["segment"] = segment
        email = csm.email
    client = app.test_client()
    AuthActions(client).login(email)
    yield client, ids
    truncate_all(app)


def urls_for(rule, ids) -> list[str]:
    """Own ids in the path, then the other book's; the other book's ids as filters; a segment."""
    mine, theirs = ids["mine"], ids["theirs"]
    asked = {
        "company_id": theirs["company_id"],
        "account_id": theirs["account_id"],
        "csm_id": theirs["user_id"],
        "date": "2030-01-01",
    }
    kinds = [{"kind": kind, "fmt": "csv"} for kind in EXPORTS] if "<fmt>" in rule.rule else [{}]
    return [
        url
        for kind in kinds
        for url in (
            build(rule, mine | kind),
            build(rule, theirs | kind),
            build(rule, mine | kind, asked),
            build(rule, mine | kind, ids["segment"]),
        )
    ]


@pytest.mark.parametrize(
    "rule", [r for r in web_get_rules() if r.rule not in SHARED_IN_FULL], ids=lambda r: r.rule
)
def test_a_csm_sees_nothing_of_another_book(walk, rule):
    client, ids = walk
    leaks = []
    for url in urls_for(rule, ids):
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True).lower()
        leaks += [f"{url} shows {m!r}" for m in FOREIGN if m.lower() in body]

    assert not leaks, "\n".join(leaks)


def test_the_walk_sees_the_csms_own_book(walk):
    client, ids = walk
    pages = ["/accounts/", "/tiers/overrides", "/imports/", "/coverage/book", "/companies/"]
    pages += ["/alerts", "/reports/tier-review", "/coverage/handoffs"]
    pages += [f"/imports/export/{kind}.csv?{urlencode(ids['segment'])}" for kind in EXPORTS]
    pages.append(f"/accounts/links?company_id={ids['mine']['company_id']}")

    for page in pages:
        assert OWN.lower() in client.get(page).get_data(as_text=True).lower(), page


def test_links_of_a_company_outside_the_book_are_not_found(walk):
    client, ids = walk

    response = client.get(f"/accounts/links?company_id={ids['theirs']['company_id']}")

    assert response.status_code == 404
