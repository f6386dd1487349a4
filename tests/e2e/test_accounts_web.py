"""Account pages over HTTP: the server-side list, show with history, edit, and role guards."""

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import Account, AuditLog
from cstier.services import accounts
from cstier.services.accounts import AUDITED_FIELDS
from cstier.services.audit import snapshot
from tests.factories import AccountFactory, CompanyFactory

ROW_LINK = re.compile(r'<a href="/accounts/(\d+)">([^<]+)</a>')


def listed_names(response) -> list[str]:
    """Return the account names in the list table, in order."""
    html = response.get_data(as_text=True)
    if 'id="account-table"' not in html:
        return []
    table = html.split('id="account-table"', 1)[1].split("</table>", 1)[0]
    return [name for _, name in ROW_LINK.findall(table)]


def stored(account_id: int) -> dict:
    """Read an account as committed in the database, on a fresh session."""
    with Session(db.engine) as fresh:
        account = fresh.get(Account, account_id)
        return snapshot(account, AUDITED_FIELDS) | {"version": account.version}


def audit_count() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(AuditLog.id)))


def account_count() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(Account.id)))


def form_data(account: Account, **changes) -> dict:
    """Return what the edit form posts for the account, with some fields changed."""
    data = {
        "name": account.name,
        "external_id": account.external_id,
        "unit_type": account.unit_type,
        "company_id": str(account.company_id),
        "department_id": str(account.department_id or ""),
        "contact_id": str(account.contact_id or ""),
        "csm_id": str(account.csm_id or ""),
        "arr": str(Decimal(account.arr_cents) / 100),
        "plan": account.plan or "",
        "lifecycle_stage": account.lifecycle_stage,
        "contract_start_date": account.contract_start_date.isoformat(),
        "renewal_date": account.renewal_date.isoformat(),
        "version": str(account.version),
    }
    return data | changes


@pytest.fixture
def crowded_book(db_session):
    """Sixty ordinary accounts plus three that stand out by stage, region, name and ARR."""
    AccountFactory.create_batch(60)
    specials = [
        ("Zebra Holdings", "at_risk", "APAC", 5_000_000_00),
        ("Yak Partners", "at_risk", "EMEA", 1_00),
        ("Xenon Labs", "churned", "APAC", 300_000_00),
    ]
    for name, stage, region, arr in specials:
        AccountFactory(
            name=name,
            lifecycle_stage=stage,
            arr_cents=arr,
            company=CompanyFactory(region=region),
        )


def test_list_is_paginated_on_the_server(client, auth, manager, crowded_book):
    auth.login(manager.email)

    first = client.get("/accounts/")
    second = client.get("/accounts/?page=2")

    assert first.status_code == second.status_code == 200
    assert len(listed_names(first)) == 50
    assert len(listed_names(second)) == 13
    assert not set(listed_names(first)) & set(listed_names(second))
    assert "63 accounts · page 2 of 2" in second.get_data(as_text=True)
    assert client.get("/accounts/?page=3").status_code == 404


def filter_url(**criteria) -> str:
    """Return the list URL as the filter form submits it: every field, blanks included."""
    fields = ["q", "lifecycle_stage", "region", "industry", "csm_id", "arr_min", "arr_max"]
    args = {name: "" for name in fields} | {"sort": "name", "dir": "asc"} | criteria
    return f"/accounts/?{urlencode(args)}"


def test_per_page_changes_the_page_size(client, auth, manager, crowded_book):
    auth.login(manager.email)
    response = client.get(filter_url(per_page=10, page=7))
    assert response.status_code == 200
    assert len(listed_names(response)) == 3


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"lifecycle_stage": "at_risk"}, {"Zebra Holdings", "Yak Partners"}),
        ({"region": "APAC"}, {"Zebra Holdings", "Xenon Labs"}),
        ({"q": "zebra"}, {"Zebra Holdings"}),
        ({"lifecycle_stage": "at_risk", "region": "APAC"}, {"Zebra Holdings"}),
        ({"arr_min": "1000000"}, {"Zebra Holdings"}),
        ({"arr_max": "1"}, {"Yak Partners"}),
        ({"q": "no-such-account"}, set()),
    ],
)
def test_filters_narrow_the_rows(client, auth, manager, crowded_book, criteria, expected):
    auth.login(manager.email)
    response = client.get(filter_url(**criteria))
    assert response.status_code == 200
    assert set(listed_names(response)) == expected


def test_filters_in_a_bare_url_apply_without_a_warning(client, auth, manager, crowded_book):
    # Sort links, pager links and bookmarks carry only some filters; the rest must default.
    auth.login(manager.email)
    assert b"Some filters were not understood" not in client.get("/accounts/").data
    response = client.get("/accounts/?arr_min=1000000")
    assert b"Some filters were not understood" not in response.data
    assert listed_names(response) == ["Zebra Holdings"]


def test_empty_result_says_so(client, auth, manager, crowded_book):
    auth.login(manager.email)
    assert b"No accounts match" in client.get("/accounts/?q=no-such-account").data


@pytest.mark.parametrize(
    ("direction", "first_two"),
    [("desc", ["Zebra Holdings", "Xenon Labs"]), ("asc", ["Yak Partners"])],
)
def test_sort_by_arr(client, auth, manager, crowded_book, direction, first_two):
    auth.login(manager.email)
    response = client.get(f"/accounts/?sort=arr&dir={direction}")
    assert listed_names(response)[: len(first_two)] == first_two


def test_unparseable_filters_are_ignored_with_a_warning(client, auth, manager, crowded_book):
    auth.login(manager.email)
    response = client.get(filter_url(arr_min="lots"))
    assert response.status_code == 200
    assert b"Some filters were not understood" in response.data
    assert len(listed_names(response)) == 50


def test_edit_saves_and_history_shows_the_change(client, auth, manager, db_session):
    account = AccountFactory(arr_cents=120_000_00, plan="Pro")
    auth.login(manager.email)

    response = client.post(
        f"/accounts/{account.id}/edit", data=form_data(account, arr="150000.00", plan="Scale")
    )

    assert response.status_code == 302
    assert response.location == f"/accounts/{account.id}"
    row = stored(account.id)
    assert (row["arr_cents"], row["plan"], row["version"]) == (150_000_00, "Scale", 2)
    with Session(db.engine) as fresh:
        entry = fresh.scalars(select(AuditLog).where(AuditLog.entity_id == account.id)).one()
        assert entry.user_id == manager.id
        assert entry.after == {"arr_cents": 150_000_00, "plan": "Scale"}

    page = client.get(f"/accounts/{account.id}")
    assert page.status_code == 200
    history = page.get_data(as_text=True).split('id="audit-log"', 1)[1]
    assert "Mia Manager · update" in history
    assert "<strong>plan</strong>: Pro → Scale" in history
    assert "<strong>arr_cents</strong>: 12000000 → 15000000" in history
    assert 'id="account-arr">$150,000<' in page.get_data(as_text=True)


def test_show_without_history_says_so(client, auth, manager, db_session):
    account = AccountFactory()
    auth.login(manager.email)
    assert b"No changes recorded yet." in client.get(f"/accounts/{account.id}").data


def test_create_via_form_is_audited(client, auth, manager, csm, db_session):
    company = CompanyFactory()
    auth.login(manager.email)
    data = {
        "name": "Brand New",
        "external_id": "AC-BRAND-NEW",
        "unit_type": "company",
        "company_id": str(company.id),
        "department_id": "",
        "contact_id": "",
        "csm_id": str(csm.id),
        "arr": "1234.50",
        "plan": "Pro",
        "lifecycle_stage": "onboarding",
        "contract_start_date": "2026-01-01",
        "renewal_date": "2027-01-01",
    }

    response = client.post("/accounts/new", data=data)

    assert response.status_code == 302
    with Session(db.engine) as fresh:
        account = fresh.scalars(select(Account).where(Account.external_id == "AC-BRAND-NEW")).one()
        assert (account.arr_cents, account.csm_id) == (1234_50, csm.id)
        entry = fresh.scalars(select(AuditLog).where(AuditLog.entity_id == account.id)).one()
        assert (entry.action, entry.user_id) == ("create", manager.id)
    assert response.location == f"/accounts/{account.id}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"arr": "-5"}, "ARR cannot be negative."),
        ({"name": ""}, "This field is required."),
        ({"arr": "lots"}, "Not a valid decimal value."),
        (
            {"contract_start_date": "2026-06-01", "renewal_date": "2026-05-01"},
            "The renewal date cannot be before the contract start.",
        ),
        ({"lifecycle_stage": "dormant"}, "Not a valid choice."),
    ],
    ids=["negative arr", "missing name", "arr not a number", "renewal before start", "bad stage"],
)
def test_invalid_edit_rerenders_with_message_and_writes_nothing(
    client, auth, manager, db_session, changes, message
):
    account = AccountFactory()
    before = stored(account.id)
    auth.login(manager.email)

    response = client.post(f"/accounts/{account.id}/edit", data=form_data(account, **changes))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'id="account-form"' in response.get_data(as_text=True)
    assert stored(account.id) == before
    assert audit_count() == 0


@pytest.mark.parametrize("path", ["/accounts/999999", "/accounts/999999/edit"])
def test_unknown_account_is_the_404_page(client, auth, manager, path):
    auth.login(manager.email)
    response = client.get(path)
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.data


def test_stale_version_is_a_conflict_that_keeps_the_users_edits(client, auth, manager, db_session):
    account = AccountFactory(plan="Pro", name="Original Name")
    auth.login(manager.email)
    opened = client.get(f"/accounts/{account.id}/edit")
    assert 'name="version" type="hidden" value="1"' in opened.get_data(as_text=True)
    stale = form_data(account, name="My Edited Name", plan="MyPlan", version="1")
    # Someone else saves first.
    accounts.update_account(
        db.session, Actor(manager.id, "cs_manager"), account.id, {"plan": "Theirs"}, 1
    )
    theirs = stored(account.id)

    response = client.post(f"/accounts/{account.id}/edit", data=stale)

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this account after you opened it." in html
    assert 'value="My Edited Name"' in html
    assert 'value="MyPlan"' in html
    assert stored(account.id) == theirs
    assert theirs["plan"] == "Theirs"


@pytest.fixture
def csm_books(db_session, csm, other_csm):
    mine = [AccountFactory(name=f"Mine {n}", csm=csm) for n in range(2)]
    theirs = AccountFactory(name="Theirs 0", csm=other_csm)
    AccountFactory(name="Unassigned 0", csm=None)
    return mine, theirs


def test_csm_list_shows_only_their_book(client, auth, csm, other_csm, csm_books):
    auth.login(csm.email)
    assert sorted(listed_names(client.get("/accounts/"))) == ["Mine 0", "Mine 1"]
    assert listed_names(client.get(f"/accounts/?csm_id={other_csm.id}")) == []


def test_csm_cannot_reach_another_csms_account(client, auth, csm, csm_books):
    _, theirs = csm_books
    before = stored(theirs.id)
    auth.login(csm.email)

    assert client.get(f"/accounts/{theirs.id}").status_code == 404
    assert client.get(f"/accounts/{theirs.id}/edit").status_code == 404
    response = client.post(f"/accounts/{theirs.id}/edit", data=form_data(theirs, plan="Hijack"))

    assert response.status_code == 404
    assert stored(theirs.id) == before
    assert audit_count() == 0


def test_csm_edits_own_account_but_cannot_reassign_it(client, auth, csm, other_csm, csm_books):
    mine, _ = csm_books
    account = mine[0]
    auth.login(csm.email)

    response = client.post(
        f"/accounts/{account.id}/edit",
        data=form_data(account, plan="Growth", csm_id=str(other_csm.id), external_id="AC-MOVED"),
    )

    assert response.status_code == 302
    row = stored(account.id)
    assert (row["plan"], row["csm_id"], row["external_id"]) == (
        "Growth",
        csm.id,
        account.external_id,
    )


def test_viewer_reads_but_cannot_edit(client, auth, viewer, db_session):
    account = AccountFactory()
    before = stored(account.id)
    auth.login(viewer.email)

    page = client.get(f"/accounts/{account.id}")
    assert page.status_code == 200
    assert b'id="edit-account"' not in page.data
    assert client.get(f"/accounts/{account.id}/edit").status_code == 403
    response = client.post(f"/accounts/{account.id}/edit", data=form_data(account, plan="Nope"))

    assert response.status_code == 403
    assert b"Your role does not allow this" in response.data
    assert stored(account.id) == before
    assert audit_count() == 0


@pytest.mark.parametrize("role_fixture", ["viewer", "csm"])
def test_only_managers_open_new_account(client, auth, request, role_fixture, db_session):
    user = request.getfixturevalue(role_fixture)
    company = CompanyFactory()
    auth.login(user.email)
    assert client.get("/accounts/new").status_code == 403
    response = client.post(
        "/accounts/new",
        data={"name": "Sneaky", "external_id": "AC-SNEAK", "company_id": str(company.id)},
    )
    assert response.status_code == 403
    assert account_count() == 0


def test_a_large_teams_csm_filter_loads_its_options_when_opened(
    app, client, auth, manager, csm, other_csm, crowded_book
):
    from tests.factories import UserFactory

    third = UserFactory(role="csm", name="Zed Third")
    app.config["CSM_FILTER_OPTIONS"] = 2  # a "large" team: three CSMs
    auth.login(manager.email)
    html = client.get(f"/accounts/?csm_id={third.id}").get_data(as_text=True)
    select_tag = re.search(r'<select[^>]*id="csm_id".*?</select>', html, re.S).group(0)
    # Only the chosen CSM is rendered; the rest come from csm_options when the filter opens.
    assert 'hx-get="/accounts/csm-options?selected=' in select_tag
    assert "Zed Third" in select_tag and other_csm.name not in select_tag
    options = client.get(f"/accounts/csm-options?selected={third.id}").get_data(as_text=True)
    assert {csm.name, other_csm.name, "Zed Third", "Unassigned", "Any CSM"} <= set(
        re.findall(r">([^<]+)</option>", options)
    )
    assert re.search(rf'<option value="{third.id}" selected>Zed Third</option>', options)
    # A small team renders every option at once, as before.
    app.config["CSM_FILTER_OPTIONS"] = 300
    small = client.get("/accounts/").get_data(as_text=True)
    assert "csm-options" not in small and other_csm.name in small


def test_a_csm_has_no_csm_filter_options(client, auth, csm):
    auth.login(csm.email)
    assert client.get("/accounts/csm-options").status_code == 404


@pytest.fixture
def renewing_book(db_session):
    """Accounts renewing before, inside and after the window of 2027-01-01 to 2027-03-31."""
    from datetime import date

    for name, renews in [
        ("Renewed Late", date(2026, 12, 31)),
        ("Renews First", date(2027, 1, 1)),
        ("Renews Last", date(2027, 3, 31)),
        ("Renews After", date(2027, 4, 1)),
    ]:
        AccountFactory(name=name, renewal_date=renews, contract_start_date=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ({"renewal_from": "2027-01-01", "renewal_to": "2027-03-31"}, ["Renews First", "Renews Last"]),
        ({"renewal_from": "2027-01-01"}, ["Renews First", "Renews Last", "Renews After"]),
        ({"renewal_to": "2026-12-31"}, ["Renewed Late"]),
        # A hand-edited date is dropped with the usual warning: the list still shows.
        ({"renewal_from": "2027-13-45"}, ["Renewed Late", "Renews First", "Renews Last", "Renews After"]),
    ],
)  # fmt: skip
def test_a_renewal_window_narrows_the_list_soonest_first(
    client, auth, manager, renewing_book, window, expected
):
    auth.login(manager.email)
    response = client.get("/accounts/?" + urlencode({**window, "sort": "renewal"}))

    assert response.status_code == 200
    assert listed_names(response) == expected
    html = response.get_data(as_text=True)
    assert ('id="renewal-filter"' in html) == ("2027-13-45" not in window.values())
