"""Tier pages over HTTP: runs, the scheme editor, overrides, filters and the as-of view."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.tiering.defaults import VALUE_TIERS
from cstier.extensions import db
from cstier.models import TieringRun, TierOverride, TierScheme, TierSchemeVersion
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.e2e.previews import finish_preview
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.tiering.conftest import tier_count
from tests.queue import work_queue

JAN = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LOWER = {**VALUE_TIERS, "bands": [
    {"tier": "Strategic", "min": 90_000}, {"tier": "Growth", "min": 40_000, "max": 90_000},
    {"tier": "Scale", "max": 40_000},
]}  # fmt: skip


@pytest.fixture
def book(db_session):
    """Two accounts in a workspace set up with the default schemes (as the first admin gets)."""
    ensure_default_schemes(db_session)
    db_session.commit()
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    return {
        "big": AccountFactory(name="Big", company=company, arr_cents=300_000_00),
        "mid": AccountFactory(name="Mid", company=company, arr_cents=100_000_00),
    }


def count(model) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count()).select_from(model))


def value_scheme_id() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(TierScheme.id).where(TierScheme.key == "value_tiers"))


def tiered(book) -> int:
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    return value_scheme_id()


@pytest.mark.parametrize(("button", "dry"), [("run", False), ("dry_run", True)])
def test_manager_runs_and_dry_runs(app, client, auth, manager, book, button, dry):
    auth.login(manager.email)
    queued = client.post("/tiers/runs", data={button: "1"})
    assert queued.status_code == 302 and "/jobs/" in queued.headers["Location"]
    assert 'data-status="queued"' in client.get(queued.headers["Location"]).get_data(as_text=True)
    assert work_queue(app) == 1
    text = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in text and "2 accounts" in text and "#run-" in text
    with Session(db.engine) as fresh:
        run = fresh.scalar(select(TieringRun))
        assert (run.dry_run, run.trigger, run.triggered_by_id) == (dry, "web", manager.id)
    assert tier_count() == (0 if dry else 10)


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_viewer_and_csm_may_not_run(client, auth, request, role, book):
    user = request.getfixturevalue(role)
    auth.login(user.email)
    assert client.post("/tiers/runs", data={"run": "1"}).status_code == 403
    assert count(TieringRun) == 0


def test_admin_previews_then_saves_a_new_version(app, client, auth, admin, book):
    scheme_id = tiered(book)
    auth.login(admin.email)
    url = f"/tiers/schemes/{scheme_id}"
    assert "Strategic" in client.get(url).get_data(as_text=True)
    preview = client.post(url, data={"definition": json.dumps(LOWER), "preview": "1"})
    assert preview.status_code == 200 and 'id="preview-job"' in preview.get_data(as_text=True)
    html = client.get(finish_preview(app, client)).get_data(as_text=True)
    assert 'id="movement"' in html
    assert "1</strong> of 2 accounts change tier" in html
    assert count(TierSchemeVersion) == 5
    saved = client.post(url, data={"definition": json.dumps(LOWER), "save": "1", "version": "1"})
    assert saved.status_code == 302
    with Session(db.engine) as fresh:
        assert fresh.get(TierScheme, scheme_id).current_version == 2


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("{not json", "Not valid JSON"),
        (json.dumps({**VALUE_TIERS, "field": "profit"}), "Unknown field &#39;profit&#39;"),
        (json.dumps({**VALUE_TIERS, "bands": []}), "The band list is empty"),
    ],
    ids=["invalid json", "unknown field", "empty tiers"],
)
def test_invalid_definition_is_400_and_nothing_saved(
    client, auth, admin, book, definition, message
):
    scheme_id = tiered(book)
    auth.login(admin.email)
    response = client.post(
        f"/tiers/schemes/{scheme_id}",
        data={"definition": definition, "save": "1", "version": "1"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(TierSchemeVersion) == 5


def test_non_admin_may_not_edit_schemes(client, auth, manager, book):
    scheme_id = tiered(book)
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{scheme_id}", data={"definition": json.dumps(LOWER), "save": "1"}
    )
    assert response.status_code == 403
    assert count(TierSchemeVersion) == 5


def test_override_form_on_the_account_page(client, auth, manager, book):
    scheme_id = tiered(book)
    auth.login(manager.email)
    page = client.get(f"/accounts/{book['mid'].id}").get_data(as_text=True)
    assert 'id="override-form"' in page
    form = {
        "scheme_id": scheme_id,
        "tier": "Strategic",
        "reason": "Exec sponsor",
        "expires_on": "2099-01-01",
    }
    response = client.post(
        f"/tiers/accounts/{book['mid'].id}/overrides", data=form, follow_redirects=True
    )
    assert "Override saved" in response.get_data(as_text=True)
    assert "Pinned to <strong>Strategic</strong>" in response.get_data(as_text=True)
    assert count(TierOverride) == 1


def test_accounts_list_filtered_by_tier(client, auth, manager, book):
    scheme_id = tiered(book)
    auth.login(manager.email)
    html = client.get(f"/accounts/?tier_scheme={scheme_id}&tier=Growth").get_data(as_text=True)
    assert ">Mid<" in html and ">Big<" not in html


def test_as_of_page_shows_compositions_and_one_account(client, auth, viewer, book):
    tiered(book)
    db.session.execute(db.update(type(book["mid"])).values(arr_cents=400_000_00))
    db.session.commit()
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=MAR)
    auth.login(viewer.email)
    html = client.get(f"/tiers/as-of?date=2026-02-01&account_id={book['mid'].id}").get_data(
        as_text=True
    )
    value_card = html.split(">Value tiers</a>", 1)[1].split("</table>", 1)[0]
    assert '<td>Growth</td><td class="num">1</td>' in value_card
    assert '<td>Strategic</td><td class="num">1</td>' in value_card
    account_card = html.split('id="account-as-of"', 1)[1].split("</table>", 1)[0]
    assert "Value tiers</th><td>Growth</td>" in account_card
    later = client.get("/tiers/as-of?date=2026-03-31").get_data(as_text=True)
    assert '<td>Strategic</td><td class="num">2</td>' in later
    before = client.get("/tiers/as-of?date=2025-12-31").get_data(as_text=True)
    assert "No accounts tiered by then" in before


def test_as_of_page_shows_a_csm_only_their_own_book(client, auth, csm, viewer, book):
    mid = book["mid"]
    db.session.execute(db.update(type(mid)).where(type(mid).id == mid.id).values(csm_id=csm.id))
    db.session.commit()
    tiered(book)

    auth.login(csm.email)
    html = client.get("/tiers/as-of?date=2026-02-01").get_data(as_text=True)
    value_card = html.split(">Value tiers</a>", 1)[1].split("</table>", 1)[0]
    assert '<td>Growth</td><td class="num">1</td>' in value_card
    assert "Strategic" not in value_card
    assert 'id="as-of-scope"' in html

    auth.logout()
    auth.login(viewer.email)
    html = client.get("/tiers/as-of?date=2026-02-01").get_data(as_text=True)
    value_card = html.split(">Value tiers</a>", 1)[1].split("</table>", 1)[0]
    assert '<td>Strategic</td><td class="num">1</td>' in value_card
    assert 'id="as-of-scope"' not in html


def test_as_of_page_refuses_a_bad_date(client, auth, viewer):
    auth.login(viewer.email)
    assert client.get("/tiers/as-of?date=yesterday").status_code == 400
    assert client.get("/tiers/as-of").status_code == 200


def test_a_scheme_saved_by_someone_else_since_it_was_opened_is_409_and_keeps_the_edit(
    client, auth, admin, book
):
    scheme_id = tiered(book)
    auth.login(admin.email)
    url = f"/tiers/schemes/{scheme_id}"
    opened = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).text)
    assert opened and opened.group(1) == "1"
    theirs = json.dumps({**VALUE_TIERS, "goal": "Their goal"})
    assert (
        client.post(url, data={"definition": theirs, "save": "1", "version": "1"}).status_code
        == 302
    )

    mine = client.post(url, data={"definition": json.dumps(LOWER), "save": "1", "version": "1"})

    assert mine.status_code == 409
    assert "Someone saved version 2 of this scheme after you opened version 1" in mine.text
    assert "90000" in mine.text  # the user's definition is still in the editor
    assert count(TierSchemeVersion) == 6
    with Session(db.engine) as fresh:
        assert fresh.get(TierScheme, scheme_id).current.definition["goal"] == "Their goal"


def test_revoking_an_override_sends_its_version_and_a_stale_revoke_is_refused(
    client, auth, manager, book
):
    scheme_id = tiered(book)
    with Session(db.engine, expire_on_commit=False) as session:
        override = TierOverride(
            account_id=book["mid"].id, scheme_id=scheme_id, tier="Strategic", reason="Board ask"
        )
        session.add(override)
        session.commit()
    auth.login(manager.email)
    page = client.get("/tiers/overrides").text
    assert 'name="version" value="1"' in page
    url = f"/tiers/overrides/{override.id}/revoke"

    first = client.post(url, data={"version": "1"}, follow_redirects=True)
    again = client.post(url, data={"version": "1"}, follow_redirects=True)

    assert "Override revoked" in first.text
    assert "Someone else saved this override" in again.text
    with Session(db.engine) as fresh:
        assert fresh.get(TierOverride, override.id).version == 2


@pytest.mark.parametrize("expiring", ["7", "abc", ""])
def test_the_overrides_page_shows_those_expiring_within_7_days_when_asked(
    client, auth, manager, book, expiring
):
    scheme_id = tiered(book)
    now = datetime.now(UTC)
    with Session(db.engine) as session:
        for account, days in ((book["big"], 3), (book["mid"], 30)):
            session.add(
                TierOverride(
                    account_id=account.id, scheme_id=scheme_id, tier="Strategic",
                    reason=f"in {days} days", expires_at=now + timedelta(days=days),
                )
            )  # fmt: skip
        session.commit()
    auth.login(manager.email)

    page = client.get("/tiers/overrides", query_string={"expiring": expiring})

    assert page.status_code == 200
    if expiring:  # any value asks for the dashboard's 7 days
        assert "in 3 days" in page.text and "in 30 days" not in page.text
        assert "Overrides expiring within 7 days" in page.text
    else:
        assert "in 3 days" in page.text and "in 30 days" in page.text
    assert ("1 overrides · page 1 of 1" if expiring else "2 overrides · page 1 of 1") in page.text
    assert client.get("/tiers/overrides", query_string={"page": 2}).status_code == 404
