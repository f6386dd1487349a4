"""Coverage pages over HTTP: roles, bulk assignment, refusals, conflicts, suggestions, handoffs."""

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import (
    Account,
    AccountCoverage,
    AssignmentChange,
    CoverageMatrix,
    CoverageMatrixCell,
    CoverageModel,
    Handoff,
    Pool,
)
from cstier.services.coverage.derive import derive_coverage
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.coverage.conftest import give_profile, set_tiers


def owner_of(account_id: int) -> int | None:
    with Session(db.engine) as fresh:
        return fresh.get(Account, account_id).csm_id


def changes() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(AssignmentChange.id)))


@pytest.fixture
def book(db_session, csm, other_csm):
    """csm owns two high-touch EMEA accounts; other_csm serves high-touch; one APAC is open."""
    ensure_default_schemes(db_session)
    ensure_default_coverage(db_session)
    db_session.commit()
    give_profile(csm, ["high_touch"])
    give_profile(other_csm, ["high_touch"])
    emea, apac = CompanyFactory(region="EMEA"), CompanyFactory(region="APAC")
    accounts = [
        AccountFactory(name="Globex One", company=emea, csm=csm),
        AccountFactory(name="Globex Two", company=emea, csm=csm),
        AccountFactory(name="Initech", company=apac),
    ]
    for account in accounts:
        set_tiers(account, "Strategic", "High")
    derive_coverage(db_session)
    db_session.commit()
    return {a.name: (a.id, a.version) for a in accounts}


def pick(book, name) -> str:
    account_id, version = book[name]
    return f"{account_id}:{version}"


@pytest.mark.parametrize(
    "path",
    ["/coverage/", "/coverage/capacity", "/coverage/csms", "/coverage/pools", "/coverage/handoffs"],
)
@pytest.mark.parametrize("who", ["manager", "csm", "viewer"])
def test_read_pages_for_every_role(client, auth, request, book, path, who):
    auth.login(request.getfixturevalue(who).email)
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("who", ["csm", "viewer"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/coverage/assign"),
        ("post", "/coverage/assign"),
        ("get", "/coverage/suggestions"),
        ("post", "/coverage/suggestions"),
        ("post", "/coverage/matrix"),
        ("post", "/coverage/derive"),
        ("get", "/coverage/pools/new"),
    ],
)
def test_managers_only(client, auth, request, book, who, method, path):
    auth.login(request.getfixturevalue(who).email)
    assert getattr(client, method)(path).status_code == 403


def test_viewer_sees_no_edit_controls(client, auth, viewer, book):
    auth.login(viewer.email)
    html = client.get("/coverage/").get_data(as_text=True)
    assert "Save matrix" not in html and "<select" not in html
    assert "High-touch" in html


def test_bulk_assign_from_a_filtered_list(client, auth, manager, other_csm, book):
    auth.login(manager.email)
    listed = client.get("/coverage/assign?region=EMEA").get_data(as_text=True)
    assert "Globex One" in listed and "Initech" not in listed
    response = client.post(
        "/coverage/assign?region=EMEA",
        data={
            "pick": [pick(book, "Globex One"), pick(book, "Globex Two")],
            "csm_id": other_csm.id,
            "reason": "Rebalance",
        },
        follow_redirects=True,
    )
    assert "Assigned 2 accounts" in response.get_data(as_text=True)
    assert owner_of(book["Globex One"][0]) == other_csm.id
    assert owner_of(book["Globex Two"][0]) == other_csm.id


def test_refused_assignment_shows_a_message_and_changes_nothing(
    client, auth, manager, other_csm, csm, book, db_session
):
    give_profile(other_csm, ["pooled"])
    auth.login(manager.email)
    response = client.post(
        "/coverage/assign",
        data={"pick": [pick(book, "Globex One")], "csm_id": other_csm.id, "reason": "Try"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was assigned" in html and "does not serve High-touch" in html
    assert "Accounts: Globex One." in html
    assert "manager override" in html
    assert owner_of(book["Globex One"][0]) == csm.id
    assert changes() == 0
    override = client.post(
        "/coverage/assign",
        data={
            "pick": [pick(book, "Globex One")],
            "csm_id": other_csm.id,
            "reason": "Try",
            "override_reason": "Covering for a month",
        },
        follow_redirects=True,
    )
    assert override.status_code == 200
    assert owner_of(book["Globex One"][0]) == other_csm.id


def test_second_manager_gets_a_conflict(client, auth, manager, other_csm, csm, book):
    auth.login(manager.email)
    stale = pick(book, "Globex One")
    first = client.post(
        "/coverage/assign",
        data={"pick": [stale], "csm_id": other_csm.id, "reason": "Me first"},
    )
    assert first.status_code == 302
    second = client.post(
        "/coverage/assign",
        data={"pick": [stale], "csm_id": csm.id, "reason": "Me too"},
    )
    assert second.status_code == 409
    assert "Someone else changed" in second.get_data(as_text=True)
    assert owner_of(book["Globex One"][0]) == other_csm.id


def test_missing_reason_is_refused(client, auth, manager, other_csm, book):
    auth.login(manager.email)
    response = client.post(
        "/coverage/assign", data={"pick": [pick(book, "Globex One")], "csm_id": other_csm.id}
    )
    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)
    assert changes() == 0


def test_reassignment_shows_handoff_to_both_csms(client, auth, manager, csm, other_csm, book):
    auth.login(manager.email)
    client.post(
        "/coverage/assign",
        data={"pick": [pick(book, "Globex One")], "csm_id": other_csm.id, "reason": "Move"},
    )
    for user in (csm, other_csm):
        auth.logout()
        auth.login(user.email)
        html = client.get("/coverage/handoffs").get_data(as_text=True)
        assert "Globex One" in html
    with Session(db.engine) as fresh:
        handoff_id = fresh.scalar(select(Handoff.id))
    done = client.post(f"/coverage/handoffs/{handoff_id}/done", data={"version": "1"})
    assert done.status_code == 302
    assert "Globex One" not in client.get("/coverage/handoffs").get_data(as_text=True)
    assert client.get("/coverage/handoffs?page=2").status_code == 404  # past the end


def test_csm_sees_own_book_only(client, auth, csm, other_csm, book):
    auth.login(csm.email)
    html = client.get("/coverage/book").get_data(as_text=True)
    assert "Globex One" in html and "Initech" not in html
    assert "High-touch" in html
    auth.logout()
    auth.login(other_csm.email)
    assert "Your book is empty" in client.get("/coverage/book").get_data(as_text=True)


def test_account_panel(client, auth, manager, csm, other_csm, book, db_session):
    account_id = book["Globex One"][0]
    coverage = db_session.get(AccountCoverage, account_id)
    coverage.needs_reassignment, coverage.suggested_owner_id = True, other_csm.id
    db_session.commit()
    auth.login(manager.email)
    html = client.get(f"/coverage/accounts/{account_id}/panel").get_data(as_text=True)
    assert 'id="coverage-panel"' in html and "High-touch" in html
    assert "Needs reassignment" in html and other_csm.name in html
    assert 'id="panel-assign"' in html
    auth.logout()
    auth.login(other_csm.email)
    assert client.get(f"/coverage/accounts/{account_id}/panel").status_code == 404
    auth.logout()
    auth.login(csm.email)
    html = client.get(f"/coverage/accounts/{account_id}/panel").get_data(as_text=True)
    assert "High-touch" in html and 'id="panel-assign"' not in html


def test_suggestions_accept_some(client, auth, manager, book):
    auth.login(manager.email)
    html = client.get("/coverage/suggestions").get_data(as_text=True)
    picks = re.findall(r'name="pick" value="([^"]+)"', html)
    assert len(picks) == 1  # Initech is the one open account
    response = client.post(
        "/coverage/suggestions",
        data={"pick": picks, "reason": "Weekly review", "accept_selected": "Accept checked"},
        follow_redirects=True,
    )
    assert "Accepted 1 proposal." in response.get_data(as_text=True)
    assert owner_of(book["Initech"][0]) is not None


def test_matrix_edit_and_derive(client, auth, manager, book, db_session):
    auth.login(manager.email)
    tech = db_session.scalar(select(CoverageModel.id).where(CoverageModel.key == "tech_touch"))
    response = client.post(
        "/coverage/matrix",
        data={"cell|Strategic|High": tech, "version": "0"},
        follow_redirects=True,
    )
    assert "1 cells changed" in response.get_data(as_text=True)
    response = client.post("/coverage/derive", follow_redirects=True)
    assert "3 changed" in response.get_data(as_text=True)
    assert "2 flagged" in response.get_data(as_text=True)


def test_model_edit_validates(client, auth, manager, book, db_session):
    auth.login(manager.email)
    model_id = db_session.scalar(select(CoverageModel.id).where(CoverageModel.key == "pooled"))
    bad = client.post(
        f"/coverage/models/{model_id}/edit",
        data={"name": "Pooled", "motion": "pooled", "accounts_per_csm": 0, "hard_limit_pct": 125},
    )
    assert bad.status_code == 400
    good = client.post(
        f"/coverage/models/{model_id}/edit",
        data={
            "name": "Pooled",
            "motion": "pooled",
            "accounts_per_csm": 250,
            "hard_limit_pct": 120,
            "arr_per_csm": "3000000",
            "cadence": "Monthly check-in",
            "version": "1",
        },
    )
    assert good.status_code == 302
    with Session(db.engine) as fresh:
        model = fresh.get(CoverageModel, model_id)
        assert (model.accounts_per_csm, model.arr_per_csm_cents) == (250, 3_000_000_00)


def test_profile_and_pool_forms(client, auth, manager, csm, book):
    auth.login(manager.email)
    response = client.post(
        f"/coverage/csms/{csm.id}",
        data={
            "fte": "0.5",
            "regions": "EMEA, APAC",
            "coverage_model_keys": ["high_touch"],
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert "EMEA" in client.get("/coverage/csms").get_data(as_text=True)
    response = client.post("/coverage/pools/new", data={"name": "", "coverage_model_id": ""})
    assert response.status_code == 400
    with Session(db.engine) as fresh:
        pooled = fresh.scalar(select(CoverageModel.id).where(CoverageModel.key == "pooled"))
    response = client.post(
        "/coverage/pools/new",
        data={"name": "Pool EMEA", "coverage_model_id": pooled, "member_ids": [csm.id]},
    )
    assert response.status_code == 302
    assert csm.name in client.get("/coverage/pools").get_data(as_text=True)


MODEL_FORM = {"name": "Pooled", "motion": "pooled", "accounts_per_csm": 250, "hard_limit_pct": 120}


def _model_id(key: str) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(CoverageModel.id).where(CoverageModel.key == key))


@pytest.mark.parametrize(
    ("path", "theirs", "mine", "kept"),
    [
        (
            "/coverage/models/{pooled}/edit",
            {**MODEL_FORM, "cadence": "Weekly"},
            {**MODEL_FORM, "cadence": "Quarterly call"},
            'value="Quarterly call"',
        ),
        (
            "/coverage/csms/{csm}",
            {"fte": "0.5", "regions": "EMEA"},
            {"fte": "0.7", "regions": "Nordics"},
            'value="Nordics"',
        ),
        (
            "/coverage/pools/{pool}",
            {"name": "Pool North", "coverage_model_id": "{pooled}"},
            {"name": "Pool South", "coverage_model_id": "{pooled}"},
            'value="Pool South"',
        ),
    ],
    ids=["coverage model", "CSM profile", "pool"],
)
def test_a_form_saved_over_someone_elses_save_is_409_and_keeps_the_edit(
    client, auth, manager, csm, book, db_session, path, theirs, mine, kept
):
    pooled = _model_id("pooled")
    pool = Pool(name="Pool", coverage_model_id=pooled, member_ids=[])
    db_session.add(pool)
    db_session.commit()
    ids = {"pooled": pooled, "csm": csm.id, "pool": pool.id}
    url = path.format(**ids)
    auth.login(manager.email)
    assert 'name="version" type="hidden" value="1"' in client.get(url).text

    def posted(values: dict) -> dict:
        return {k: str(v).format(**ids) for k, v in values.items()} | {"version": "1"}

    assert client.post(url, data=posted(theirs)).status_code == 302
    response = client.post(url, data=posted(mine))

    assert response.status_code == 409
    assert "Someone else saved this" in response.text and kept in response.text


def test_a_matrix_saved_over_someone_elses_save_is_409_and_shows_the_users_cells(
    client, auth, manager, book
):
    tech, pooled = _model_id("tech_touch"), _model_id("pooled")
    auth.login(manager.email)
    assert 'name="version" type="hidden" value="0"' in client.get("/coverage/").text
    theirs = client.post("/coverage/matrix", data={"cell|Strategic|High": pooled, "version": "0"})
    assert theirs.status_code == 302

    mine = client.post("/coverage/matrix", data={"cell|Strategic|Low": tech, "version": "0"})

    assert mine.status_code == 409
    assert "Someone else saved this coverage matrix" in mine.text
    cell = re.search(r'name="cell\|Strategic\|Low".*?</select>', mine.text, re.S).group(0)
    assert f'<option value="{tech}" selected>' in cell
    with Session(db.engine) as fresh:
        stored = fresh.scalars(select(CoverageMatrixCell)).all()
        assert {(c.value_tier, c.needs_tier): c.coverage_model_id for c in stored}[
            ("Strategic", "High")
        ] == pooled
        assert fresh.get(CoverageMatrix, 1).version == 1


def test_a_stale_handoff_done_or_pool_delete_is_refused(client, auth, manager, csm, book):
    with Session(db.engine, expire_on_commit=False) as session:
        pool = Pool(name="Old pool", coverage_model_id=_model_id("pooled"), member_ids=[])
        handoff = Handoff(account_id=book["Initech"][0], from_csm_id=None, to_csm_id=csm.id)
        session.add_all([pool, handoff])
        session.commit()
    auth.login(manager.email)

    done = client.post(
        f"/coverage/handoffs/{handoff.id}/done", data={"version": "7"}, follow_redirects=True
    )
    deleted = client.post(
        f"/coverage/pools/{pool.id}/delete", data={"version": "7"}, follow_redirects=True
    )

    assert "Someone else saved this handoff" in done.text
    assert "Someone else saved this pool" in deleted.text
    with Session(db.engine) as fresh:
        assert fresh.get(Handoff, handoff.id).done_at is None
        assert fresh.get(Pool, pool.id) is not None


@pytest.mark.parametrize(
    "field, value, status",
    [
        ("cell|Strategic|High", "abc", 400),
        ("cell|Strategic|High", "99999999999", 400),
        ("cell|Strategic", "1", 302),  # not a cell: ignored
    ],
    ids=["not an id", "too large", "two parts"],
)
def test_a_malformed_matrix_cell_is_refused_not_a_500(
    client, auth, manager, book, field, value, status
):
    auth.login(manager.email)
    page = client.get("/coverage/").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(-?\d+)"', page)

    response = client.post(
        "/coverage/matrix", data={"version": version.group(1) if version else "0", field: value}
    )

    assert response.status_code == status
