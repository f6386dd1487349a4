"""The assignment forms' CSM select: inline for a small team, searched for a large one; bad ids."""

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, AccountCoverage, AssignmentChange
from cstier.services.coverage.derive import derive_coverage
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory, UserFactory
from tests.integration.coverage.conftest import give_profile, set_tiers


@pytest.fixture
def globex(db_session, csm, other_csm):
    """One high-touch account owned by csm; other_csm serves high-touch too."""
    ensure_default_schemes(db_session)
    ensure_default_coverage(db_session)
    db_session.commit()
    give_profile(csm, ["high_touch"])
    give_profile(other_csm, ["high_touch"])
    account = AccountFactory(name="Globex One", company=CompanyFactory(region="EMEA"), csm=csm)
    set_tiers(account, "Strategic", "High")
    derive_coverage(db_session)
    db_session.commit()
    return account


@pytest.fixture
def large_team(app, monkeypatch):
    """Make a team of more than one CSM count as large."""
    monkeypatch.setitem(app.config, "CSM_FILTER_OPTIONS", 1)


def stored(account_id: int) -> tuple[int | None, int]:
    """Return the account's owner and how many assignment changes exist, read afresh."""
    with Session(db.engine) as fresh:
        owner = fresh.get(Account, account_id).csm_id
        return owner, fresh.scalar(select(func.count(AssignmentChange.id)))


def csm_select(html: str) -> str:
    return re.search(r'<select[^>]*name="csm_id".*?</select>', html, re.S).group(0)


def test_a_small_team_lists_every_csm_inline(client, auth, manager, csm, other_csm, globex):
    auth.login(manager.email)
    html = client.get(f"/coverage/accounts/{globex.id}/panel").get_data(as_text=True)
    assert csm.name in csm_select(html) and other_csm.name in csm_select(html)
    assert "csm-matches" not in html


def test_a_large_teams_panel_lists_the_owner_and_searches_the_rest(
    client, auth, manager, csm, other_csm, globex, large_team
):
    auth.login(manager.email)
    html = client.get(f"/coverage/accounts/{globex.id}/panel").get_data(as_text=True)
    select_tag = csm_select(html)
    assert re.search(rf'<option selected value="{csm.id}">{csm.name}</option>', select_tag)
    assert other_csm.name not in select_tag
    assert f'hx-get="/coverage/csm-matches?selected={csm.id}"' in html
    assert 'hx-target="#panel-assign select[name=csm_id]"' in html
    found = client.get(f"/coverage/csm-matches?selected={csm.id}&csm_search=otto")
    options = found.get_data(as_text=True)
    assert re.search(rf'<option value="{other_csm.id}" selected>{other_csm.name}</option>', options)
    assert csm.name not in options
    # By email too, and a LIKE wildcard is a plain character.
    by_email = client.get("/coverage/csm-matches?csm_search=other@").get_data(as_text=True)
    assert other_csm.name in by_email and csm.name not in by_email
    assert other_csm.name not in client.get("/coverage/csm-matches?csm_search=%25").get_data(
        as_text=True
    )
    # No search: the shown CSM stays chosen.
    kept = client.get(f"/coverage/csm-matches?selected={csm.id}").get_data(as_text=True)
    assert re.search(rf'<option value="{csm.id}" selected>', kept) and other_csm.name in kept


def test_a_large_teams_search_names_only_active_csms(
    client, auth, manager, csm, globex, large_team
):
    UserFactory(role="csm", name="Ina Inactive", active=False)
    UserFactory(role="viewer", name="Ina Viewer")
    auth.login(manager.email)
    options = client.get("/coverage/csm-matches?csm_search=ina").get_data(as_text=True)
    assert "Ina" not in options


@pytest.mark.parametrize("who", ["csm", "viewer"])
def test_only_managers_search_csms(client, auth, request, globex, who):
    auth.login(request.getfixturevalue(who).email)
    assert client.get("/coverage/csm-matches?csm_search=o").status_code == 403


def test_a_large_team_assigns_a_searched_csm_from_the_panel(
    client, auth, manager, other_csm, globex, large_team
):
    auth.login(manager.email)
    response = client.post(
        "/coverage/assign",
        data={
            "pick": f"{globex.id}:{globex.version}",
            "csm_id": other_csm.id,
            "csm_search": "otto",
            "reason": "Rebalance",
            "next": f"/accounts/{globex.id}",
        },
    )
    assert response.status_code == 302
    assert stored(globex.id) == (other_csm.id, 1)


BAD_CSMS = {
    "unknown id": lambda users: "987654",
    "not a CSM": lambda users: str(users["manager"].id),
    "inactive CSM": lambda users: str(users["inactive"].id),
    "not a number": lambda users: "otto",
    "beyond an id": lambda users: "99999999999999999999",
}


@pytest.mark.parametrize("team", ["small", "large"])
@pytest.mark.parametrize("bad", list(BAD_CSMS))
def test_a_bad_csm_is_a_form_error_and_nothing_is_written(
    app, client, auth, manager, csm, globex, monkeypatch, team, bad
):
    if team == "large":
        monkeypatch.setitem(app.config, "CSM_FILTER_OPTIONS", 1)
    inactive = UserFactory(role="csm", name="Ina Inactive", active=False)
    posted = BAD_CSMS[bad]({"manager": manager, "inactive": inactive})
    auth.login(manager.email)
    data = {"pick": f"{globex.id}:{globex.version}", "csm_id": posted, "reason": "Try"}
    page = client.post("/coverage/assign", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Choose a CSM from the list" in html or "Choose an active CSM from the list" in html
    assert "Internal" not in html
    from_panel = client.post(
        "/coverage/assign", data={**data, "next": f"/accounts/{globex.id}"}, follow_redirects=True
    )
    assert "Choose" in from_panel.get_data(as_text=True)
    assert stored(globex.id) == (csm.id, 0)


def test_an_inactive_owner_is_not_offered(
    client, auth, manager, csm, db_session, globex, large_team
):
    csm.active = False
    db_session.get(AccountCoverage, globex.id).suggested_owner_id = None
    db_session.commit()
    auth.login(manager.email)
    html = client.get(f"/coverage/accounts/{globex.id}/panel").get_data(as_text=True)
    assert csm.name not in csm_select(html)


def test_a_large_teams_assign_page_loads_its_filters_csms_when_opened(
    client, auth, manager, csm, other_csm, globex, large_team
):
    auth.login(manager.email)
    html = client.get(f"/coverage/assign?csm_id={csm.id}").get_data(as_text=True)
    filter_select = re.search(
        r'<form[^>]*id="assign-filters".*?(<select[^>]*name="csm_id".*?</select>)', html, re.S
    ).group(1)
    assert f'hx-get="/accounts/csm-options?selected={csm.id}"' in filter_select
    assert csm.name in filter_select and other_csm.name not in filter_select
    assert "csm_search" in html  # the assignment's own select is searched
