"""The Monday pages over HTTP: dashboards, the worklist, trends and the links between them."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, Handoff
from tests.integration.dashboards.conftest import build_monday_book


@pytest.fixture
def story(db_session, manager):
    return build_monday_book(db_session)


def open_handoffs() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(Handoff.id)).where(Handoff.done_at.is_(None)))


def worklist_picks(html: str) -> list[str]:
    return re.findall(r'name="pick" value="([^"]+)"', html)


@pytest.mark.parametrize("who", ["manager", "viewer", "admin"])
def test_the_managers_dashboard_links_every_number(client, auth, request, story, who):
    auth.login(request.getfixturevalue(who).email)
    html = client.get("/").get_data(as_text=True)

    assert 'id="kpi-needs-new-owner" href="/coverage/reassign">3<' in html
    assert 'id="kpi-open-handoffs" href="/coverage/handoffs">0<' in html
    assert 'id="kpi-overloaded" href="/coverage/capacity?sort=load&amp;dir=desc">1<' in html
    assert 'id="kpi-expiring-overrides" href="/tiers/overrides?expiring=7">' in html
    assert f'href="/accounts/?csm_id={story.busy.id}">Bo Busy</a>' in html
    assert 'data-chart="tier-trend"' in html
    for path in re.findall(r'href="(/[^"#]*)"', html):
        if "logout" not in path:
            assert client.get(path.replace("&amp;", "&")).status_code == 200, path


def test_each_tiers_renewals_open_the_accounts_counted(client, auth, story, manager):
    with Session(db.engine) as session:  # the story renews relative to its own day: move to now
        session.execute(update(Account).values(renewal_date=date.today() + timedelta(days=10)))
        later = update(Account).where(Account.id == story.steady.id)
        session.execute(later.values(renewal_date=date.today() + timedelta(days=200)))
        session.commit()
    auth.login(manager.email)
    html = client.get("/").get_data(as_text=True)

    renewals = re.findall(r'<td><a href="(/accounts/\?[^"]*renewal_from=[^"]*)">[^<]+</a></td>\s*'
                          r'<td class="num">([\d,]+)</td>', html)  # fmt: skip
    assert renewals
    for path, accounts in renewals:
        listed = client.get(path.replace("&amp;", "&")).get_data(as_text=True)
        table = listed.split('id="account-table"', 1)[1].split("</table>", 1)[0]
        assert table.count('<a href="/accounts/') == int(accounts.replace(",", "")), path


def test_a_csm_sees_their_own_dashboard(client, auth, story):
    auth.login(story.pooled.email)
    html = client.get("/").get_data(as_text=True)

    assert 'id="kpi-accounts">2<' in html and "My book by value tier" in html
    assert "kpi-needs-new-owner" not in html


def test_the_worklist_accepts_two_and_the_handoffs_show(client, auth, story, manager):
    auth.login(manager.email)
    html = client.get("/coverage/reassign").get_data(as_text=True)
    picks = worklist_picks(html)
    assert len(picks) == 3 and "High-touch → <strong>Pooled</strong>" in html

    response = client.post(
        "/coverage/reassign",
        data={"pick": picks[:2], "reason": "Monday", "accept_selected": "Accept checked"},
        follow_redirects=True,
    )

    text = response.get_data(as_text=True)
    assert "Reassigned 2 accounts, opened 2 handoffs." in text
    assert len(worklist_picks(text)) == 1 and open_handoffs() == 2
    handoffs = client.get("/coverage/handoffs").get_data(as_text=True)
    assert "Falling" in handoffs and "Rising" in handoffs


def test_accepting_one_says_so_in_the_singular(client, auth, story, manager):
    auth.login(manager.email)
    picks = worklist_picks(client.get("/coverage/reassign").get_data(as_text=True))

    response = client.post(
        "/coverage/reassign", data={"pick": picks[:1], "reason": "x"}, follow_redirects=True
    )

    assert "Reassigned 1 account, opened 1 handoff." in response.get_data(as_text=True)


def test_accept_all(client, auth, story, manager):
    auth.login(manager.email)
    response = client.post(
        "/coverage/reassign", data={"accept_all": "Accept all", "reason": ""}, follow_redirects=True
    )
    assert "Reassigned 3 accounts" in response.get_data(as_text=True) and open_handoffs() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "x"}, "Check at least one suggestion, or accept all."),
        ({"pick": "not-a-pick", "reason": "x"}, "A suggestion was not understood"),
        ({"pick": "1:2:3", "reason": "r" * 501}, "reason is too long"),
    ],
    ids=["nothing checked", "malformed pick", "reason too long"],
)
def test_bad_posts_change_nothing(client, auth, story, manager, data, message):
    auth.login(manager.email)
    response = client.post("/coverage/reassign", data=data, follow_redirects=True)
    assert message in response.get_data(as_text=True) and open_handoffs() == 0


def test_a_stale_pick_is_refused_with_a_reason(client, auth, story, manager):
    auth.login(manager.email)
    picks = worklist_picks(client.get("/coverage/reassign").get_data(as_text=True))
    account, csm, version = picks[0].split(":")

    response = client.post(
        "/coverage/reassign",
        data={"pick": f"{account}:{csm}:{int(version) - 1}", "reason": "x"},
        follow_redirects=True,
    )

    text = response.get_data(as_text=True)
    assert "Not accepted: 1 account for" in text and "reload" in text.lower()
    assert open_handoffs() == 0


@pytest.mark.parametrize("who", ["csm", "viewer"])
def test_only_managers_accept(client, auth, request, story, who):
    auth.login(request.getfixturevalue(who).email)
    assert client.post("/coverage/reassign", data={"accept_all": "1"}).status_code == 403


def test_csms_do_not_see_the_worklist(client, auth, story):
    auth.login(story.pooled.email)
    assert client.get("/coverage/reassign").status_code == 403


def test_the_worklist_pages_by_account_id(client, auth, story, manager):
    auth.login(manager.email)
    second = client.get(f"/coverage/reassign?after={story.falling.id}").get_data(as_text=True)
    assert "Falling" not in second and "Rising" in second
    assert client.get("/coverage/reassign?after=abc").status_code == 400


def test_the_account_page_and_tier_review_link_to_the_worklist(client, auth, story, manager):
    auth.login(manager.email)
    panel = client.get(f"/coverage/accounts/{story.rising.id}/panel").get_data(as_text=True)
    assert 'id="suggested-owner">Hana High<' in panel
    link = re.search(r'id="worklist-link" href="([^"]+)"', panel)[1]
    assert f"worklist-{story.rising.id}" in link
    assert f'id="worklist-{story.rising.id}"' in client.get(link.split("#")[0]).get_data(
        as_text=True
    )
    review = client.get("/reports/tier-review?week=2026-W10").get_data(as_text=True)
    assert 'id="worklist-link" href="/coverage/reassign"' in review


def test_trends_page(client, auth, story, manager):
    auth.login(manager.email)
    html = client.get("/reports/trends").get_data(as_text=True)
    assert 'data-chart="weekly-moves"' in html and 'data-chart="coverage-trend"' in html


def test_capacity_sorts_by_any_column_and_links_each_csm_to_their_book(
    client, auth, story, manager
):
    auth.login(manager.email)
    sorts = ["name", "fte", "accounts", "arr_cents", "load_pct", "arr_load_pct", "load", "bogus"]
    for sort in sorts:
        for direction in ("asc", "desc"):
            url = f"/coverage/capacity?sort={sort}&dir={direction}"
            names = re.findall(
                r'href="/accounts/\?csm_id=\d+">([^<]+)</a>', client.get(url).get_data(as_text=True)
            )
            assert sorted(names) == ["Bo Busy", "Hana High", "Pia Pooled"], url
            if sort == "name":
                assert names == sorted(names, reverse=direction == "desc")
            if sort == "load" and direction == "desc":
                assert names[0] == "Bo Busy"
