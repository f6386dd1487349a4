"""Account service against the database: audit trail, validation, locking, book scoping."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import Account, AuditLog, TierScheme
from cstier.services import accounts
from cstier.services.accounts import AUDITED_FIELDS, AccountFilter
from cstier.services.audit import snapshot
from cstier.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from cstier.store.tier_blocks import BLOCK_SIZE, store_tiers
from tests.factories import (
    AccountFactory,
    CompanyFactory,
    ContactFactory,
    DepartmentFactory,
    UserFactory,
)


def actor(user) -> Actor:
    return Actor(user_id=user.id, role=user.role)


def stored(account_id: int) -> dict | None:
    """Read an account from the database on a fresh session, bypassing the test's identity map."""
    with Session(db.engine) as fresh:
        account = fresh.get(Account, account_id)
        if account is None:
            return None
        return snapshot(account, AUDITED_FIELDS) | {"version": account.version}


def counts() -> tuple[int, int]:
    """Return (accounts, audit entries) as committed in the database."""
    with Session(db.engine) as fresh:
        return (
            fresh.scalar(select(func.count(Account.id))),
            fresh.scalar(select(func.count(AuditLog.id))),
        )


def audit_entries(account_id: int) -> list[AuditLog]:
    with Session(db.engine, expire_on_commit=False) as fresh:
        stmt = (
            select(AuditLog)
            .where(AuditLog.entity_type == "account", AuditLog.entity_id == account_id)
            .order_by(AuditLog.id)
        )
        return list(fresh.scalars(stmt))


@pytest.fixture
def world(db_session, manager, csm):
    """A company with a department and contact, a second company, and one existing account."""
    company = CompanyFactory(name="Acme Corp")
    elsewhere = CompanyFactory(name="Elsewhere Ltd")
    return SimpleNamespace(
        company=company,
        elsewhere=elsewhere,
        department=DepartmentFactory(company=company),
        contact=ContactFactory(company=company),
        foreign_department=DepartmentFactory(company=elsewhere),
        foreign_contact=ContactFactory(company=elsewhere),
        inactive_csm=UserFactory(role="csm", active=False),
        manager=manager,
        csm=csm,
        existing=AccountFactory(company=company, external_id="AC-TAKEN", csm=csm),
    )


def valid_values(w) -> dict:
    return {
        "name": "Acme Platform",
        "external_id": "AC-NEW-1",
        "company_id": w.company.id,
        "csm_id": w.csm.id,
        "arr_cents": 250_000_00,
        "plan": "Enterprise",
        "lifecycle_stage": "active",
        "contract_start_date": date(2026, 1, 1),
        "renewal_date": date(2027, 1, 1),
    }


def test_create_account_is_audited_with_actor_and_values(world):
    account = accounts.create_account(db.session, actor(world.manager), valid_values(world))

    assert stored(account.id)["name"] == "Acme Platform"
    [entry] = audit_entries(account.id)
    assert entry.action == "create"
    assert entry.user_id == world.manager.id
    assert entry.before is None
    assert entry.after["arr_cents"] == 250_000_00
    assert entry.after["csm_id"] == world.csm.id
    assert entry.after["renewal_date"] == "2027-01-01"


def test_update_audits_only_the_changed_fields(world):
    account = world.existing
    old_arr, old_plan, version = account.arr_cents, account.plan, account.version

    accounts.update_account(
        db.session,
        actor(world.manager),
        account.id,
        {"arr_cents": old_arr + 1_000_00, "plan": "Scale", "name": account.name},
        expected_version=version,
    )

    row = stored(account.id)
    assert (row["arr_cents"], row["plan"], row["version"]) == (
        old_arr + 1_000_00,
        "Scale",
        version + 1,
    )
    [entry] = audit_entries(account.id)
    assert entry.action == "update"
    assert entry.user_id == world.manager.id
    assert entry.before == {"arr_cents": old_arr, "plan": old_plan}
    assert entry.after == {"arr_cents": old_arr + 1_000_00, "plan": "Scale"}


def test_update_that_changes_nothing_writes_no_audit_entry(world):
    account = world.existing
    accounts.update_account(
        db.session,
        actor(world.manager),
        account.id,
        {"name": account.name, "arr_cents": account.arr_cents},
        expected_version=account.version,
    )
    assert audit_entries(account.id) == []


INVALID_VALUES = {
    "negative ARR": ("arr", lambda w: {"arr_cents": -1}),
    "department of another company": (
        "department_id",
        lambda w: {"department_id": w.foreign_department.id},
    ),
    "contact of another company": ("contact_id", lambda w: {"contact_id": w.foreign_contact.id}),
    "department unit without department": ("department_id", lambda w: {"unit_type": "department"}),
    "decision maker unit without contact": (
        "contact_id",
        lambda w: {"unit_type": "decision_maker"},
    ),
    "renewal before start": (
        "renewal_date",
        lambda w: {"contract_start_date": date(2026, 6, 1), "renewal_date": date(2026, 5, 31)},
    ),
    "inactive owner": ("csm_id", lambda w: {"csm_id": w.inactive_csm.id}),
    "owner who is not a CSM": ("csm_id", lambda w: {"csm_id": w.manager.id}),
    "unknown stage": ("lifecycle_stage", lambda w: {"lifecycle_stage": "dormant"}),
    "unknown unit": ("unit_type", lambda w: {"unit_type": "galaxy"}),
}


@pytest.mark.parametrize("case", list(INVALID_VALUES))
def test_create_with_invalid_values_writes_nothing(world, case):
    field, change = INVALID_VALUES[case]
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        accounts.create_account(
            db.session, actor(world.manager), valid_values(world) | change(world)
        )

    assert field in excinfo.value.errors
    db.session.rollback()
    assert counts() == before


@pytest.mark.parametrize("case", list(INVALID_VALUES))
def test_update_with_invalid_values_changes_nothing(world, case):
    field, change = INVALID_VALUES[case]
    account = AccountFactory(company=world.company, csm=world.csm)
    before_row, before_counts = stored(account.id), counts()

    with pytest.raises(ValidationFailed) as excinfo:
        accounts.update_account(
            db.session, actor(world.manager), account.id, change(world), account.version
        )

    assert field in excinfo.value.errors
    db.session.rollback()
    assert stored(account.id) == before_row
    assert counts() == before_counts


def test_create_with_duplicate_external_id_writes_nothing(world):
    before = counts()
    with pytest.raises(ValidationFailed) as excinfo:
        accounts.create_account(
            db.session,
            actor(world.manager),
            valid_values(world) | {"external_id": world.existing.external_id},
        )
    assert "external_id" in excinfo.value.errors
    db.session.rollback()
    assert counts() == before


def test_update_to_another_accounts_external_id_changes_nothing(world):
    account = AccountFactory(company=world.company, external_id="AC-MINE")
    with pytest.raises(ValidationFailed) as excinfo:
        accounts.update_account(
            db.session,
            actor(world.manager),
            account.id,
            {"external_id": world.existing.external_id},
            account.version,
        )
    assert "external_id" in excinfo.value.errors
    db.session.rollback()
    assert stored(account.id)["external_id"] == "AC-MINE"


def test_update_with_stale_version_is_a_conflict_and_changes_nothing(world):
    account = world.existing
    opened_at = account.version
    accounts.update_account(
        db.session, actor(world.manager), account.id, {"plan": "First"}, opened_at
    )
    saved = stored(account.id)

    with pytest.raises(Conflict):
        accounts.update_account(
            db.session, actor(world.manager), account.id, {"plan": "Second"}, opened_at
        )

    assert stored(account.id) == saved
    assert saved["plan"] == "First"
    assert len(audit_entries(account.id)) == 1


def test_concurrent_save_between_read_and_write_is_a_conflict(world):
    account = world.existing
    version = account.version
    assert db.session.get(Account, account.id).version == version  # loaded in this session
    with Session(db.engine) as other:
        other.execute(
            update(Account)
            .where(Account.id == account.id)
            .values(plan="Theirs", version=version + 1)
        )
        other.commit()

    with pytest.raises(Conflict):
        accounts.update_account(
            db.session, actor(world.manager), account.id, {"plan": "Mine"}, version
        )

    assert stored(account.id)["plan"] == "Theirs"
    assert audit_entries(account.id) == []


def test_csm_updates_own_account(world):
    account = world.existing
    accounts.update_account(
        db.session, actor(world.csm), account.id, {"plan": "Growth"}, account.version
    )
    assert stored(account.id)["plan"] == "Growth"
    assert audit_entries(account.id)[0].user_id == world.csm.id


@pytest.mark.parametrize(
    "change",
    [
        lambda w: {"csm_id": None},
        lambda w: {"csm_id": UserFactory(role="csm").id},
        lambda w: {"company_id": w.elsewhere.id},
        lambda w: {"external_id": "AC-RENAMED"},
    ],
    ids=["unassign", "reassign", "move company", "external id"],
)
def test_csm_cannot_change_manager_only_fields(world, change):
    account = world.existing
    before = stored(account.id)
    with pytest.raises(Forbidden):
        accounts.update_account(
            db.session, actor(world.csm), account.id, change(world), account.version
        )
    db.session.rollback()
    assert stored(account.id) == before


def test_csm_gets_not_found_for_another_csms_account(world, other_csm):
    theirs = AccountFactory(company=world.company, csm=other_csm)
    before = stored(theirs.id)
    with pytest.raises(NotFound):
        accounts.get_account(db.session, actor(world.csm), theirs.id)
    with pytest.raises(NotFound):
        accounts.update_account(
            db.session, actor(world.csm), theirs.id, {"plan": "Hijack"}, theirs.version
        )
    db.session.rollback()
    assert stored(theirs.id) == before


def test_viewer_may_read_but_not_write(world, viewer):
    account = world.existing
    before = stored(account.id)
    assert accounts.get_account(db.session, actor(viewer), account.id).id == account.id
    with pytest.raises(Forbidden):
        accounts.update_account(
            db.session, actor(viewer), account.id, {"plan": "Nope"}, account.version
        )
    with pytest.raises(Forbidden):
        accounts.create_account(db.session, actor(viewer), valid_values(world))
    db.session.rollback()
    assert stored(account.id) == before


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_managers_create_accounts(world, role):
    before = counts()
    user = UserFactory(role=role)
    with pytest.raises(Forbidden):
        accounts.create_account(db.session, actor(user), valid_values(world))
    db.session.rollback()
    assert counts() == before


@pytest.fixture
def listed_book(db_session, csm, other_csm):
    """Four accounts spread over stages, regions, verticals, owners and ARR."""
    na_software = CompanyFactory(region="NA", industry="Software")
    emea_fintech = CompanyFactory(region="EMEA", industry="Fintech")
    apac_software = CompanyFactory(region="APAC", industry="Software")
    emea_retail = CompanyFactory(region="EMEA", industry="Retail")
    specs = [
        ("Acme Onboard", "EXT-ACME", na_software, "onboarding", csm, 10_000_00),
        ("Beta Active", "EXT-BETA", emea_fintech, "active", other_csm, 50_000_00),
        ("Gamma Risk", "EXT-GAMMA", apac_software, "at_risk", None, 200_000_00),
        ("Delta Churn", "EXT-DELTA", emea_retail, "churned", csm, 0),
    ]
    for name, external_id, company, stage, owner, arr in specs:
        AccountFactory(
            name=name,
            external_id=external_id,
            company=company,
            lifecycle_stage=stage,
            csm=owner,
            arr_cents=arr,
        )
    return SimpleNamespace(csm=csm, other_csm=other_csm)


def listed(acting, flt: AccountFilter) -> list[str]:
    return [a.name for a in db.session.scalars(accounts.list_query(db.session, acting, flt))]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"q": "acme"}, {"Acme Onboard"}),
        ({"q": "ext-beta"}, {"Beta Active"}),
        ({"q": "  gamma "}, {"Gamma Risk"}),
        ({"q": "CME ONB"}, {"Acme Onboard"}),  # any part of the name, any case
        ({"q": "EXT-BE"}, {"Beta Active"}),
        ({"lifecycle_stage": "at_risk"}, {"Gamma Risk"}),
        ({"region": "EMEA"}, {"Beta Active", "Delta Churn"}),
        ({"industry": "Software"}, {"Acme Onboard", "Gamma Risk"}),
        ({"unassigned": True}, {"Gamma Risk"}),
        ({"arr_min": 10_000, "arr_max": 50_000}, {"Acme Onboard", "Beta Active"}),
        ({"arr_min": 50_000.01}, {"Gamma Risk"}),
        ({"arr_max": 9_999.99}, {"Delta Churn"}),
        ({"region": "EMEA", "lifecycle_stage": "active"}, {"Beta Active"}),
        ({"q": "nobody"}, set()),
    ],
)
def test_list_query_filters(listed_book, manager, criteria, expected):
    assert set(listed(actor(manager), AccountFilter(**criteria))) == expected


def test_list_query_filters_by_csm(listed_book, manager):
    flt = AccountFilter(csm_id=listed_book.csm.id)
    assert set(listed(actor(manager), flt)) == {"Acme Onboard", "Delta Churn"}


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("arr", True, ["Gamma Risk", "Beta Active", "Acme Onboard", "Delta Churn"]),
        ("arr", False, ["Delta Churn", "Acme Onboard", "Beta Active", "Gamma Risk"]),
        ("name", False, ["Acme Onboard", "Beta Active", "Delta Churn", "Gamma Risk"]),
        ("name", True, ["Gamma Risk", "Delta Churn", "Beta Active", "Acme Onboard"]),
        ("region", False, ["Gamma Risk", "Beta Active", "Delta Churn", "Acme Onboard"]),
    ],
)
def test_list_query_sorts(listed_book, manager, sort, descending, expected):
    flt = AccountFilter(sort=sort, descending=descending)
    assert listed(actor(manager), flt) == expected


def test_list_query_shows_a_csm_only_their_book(listed_book):
    assert set(listed(actor(listed_book.csm), AccountFilter())) == {"Acme Onboard", "Delta Churn"}
    # Asking for someone else's book does not widen the scope.
    flt = AccountFilter(csm_id=listed_book.other_csm.id)
    assert listed(actor(listed_book.csm), flt) == []


def tier_scheme(key: str) -> TierScheme:
    scheme = TierScheme(key=key, name=key, dimension="value", active=True, current_version=1)
    db.session.add(scheme)
    db.session.commit()
    return scheme


def store(scheme: TierScheme, tiers: dict[int, str]) -> None:
    store_tiers(db.session, scheme.id, list(tiers), list(tiers.values()))
    db.session.commit()


def by_name() -> dict[str, int]:
    return dict(db.session.execute(select(Account.name, Account.id)).all())


@pytest.fixture
def tiered_book(listed_book):
    """listed_book's accounts tiered in one scheme, and Delta alone in a second one."""
    ids = by_name()
    value, needs = tier_scheme("value_tiers"), tier_scheme("needs_tiers")
    store(value, {ids["Acme Onboard"]: "Gold", ids["Beta Active"]: "Gold"})
    store(value, {ids["Gamma Risk"]: 'Silver, "2"'})
    store(needs, {ids["Delta Churn"]: "Gold", ids["Gamma Risk"]: "Gold"})
    return SimpleNamespace(value=value, needs=needs, **vars(listed_book))


@pytest.mark.parametrize(
    ("scheme", "tier", "expected"),
    [
        ("value", "Gold", {"Acme Onboard", "Beta Active"}),
        ("value", 'Silver, "2"', {"Gamma Risk"}),
        ("value", "Bronze", set()),
        ("needs", "Gold", {"Delta Churn", "Gamma Risk"}),
    ],
)
def test_list_query_filters_by_tier(tiered_book, manager, scheme, tier, expected):
    flt = AccountFilter(tier_scheme_id=getattr(tiered_book, scheme).id, tier=tier)
    assert set(listed(actor(manager), flt)) == expected


def test_list_query_tier_filter_combines_with_the_others(tiered_book, manager):
    flt = AccountFilter(tier_scheme_id=tiered_book.value.id, tier="Gold", region="EMEA")
    assert listed(actor(manager), flt) == ["Beta Active"]
    # A tier without its scheme, or a scheme without a tier, does not filter.
    everyone = {"Acme Onboard", "Beta Active", "Gamma Risk", "Delta Churn"}
    assert set(listed(actor(manager), AccountFilter(tier="Gold"))) == everyone
    flt = AccountFilter(tier_scheme_id=tiered_book.value.id)
    assert set(listed(actor(manager), flt)) == everyone


def test_list_query_tier_filter_shows_a_csm_only_their_book(tiered_book):
    csm, other = actor(tiered_book.csm), actor(tiered_book.other_csm)
    gold = AccountFilter(tier_scheme_id=tiered_book.value.id, tier="Gold")
    assert listed(csm, gold) == ["Acme Onboard"]
    assert listed(other, gold) == ["Beta Active"]
    needs_gold = AccountFilter(tier_scheme_id=tiered_book.needs.id, tier="Gold")
    assert listed(csm, needs_gold) == ["Delta Churn"]  # Gamma Risk has no owner
    assert listed(other, needs_gold) == []


def test_list_query_tier_filter_sends_thousands_of_ids_as_one_parameter(db_session, manager):
    company = CompanyFactory()
    # Explicit ids across a block boundary, far above what the suite's sequences reach.
    first = 160 * BLOCK_SIZE - 1_500
    ids = list(range(first, first + 3_000))
    db_session.execute(
        insert(Account),
        [
            {"id": i, "external_id": f"BIG-{i}", "name": f"Big {i:08d}", "company_id": company.id}
            for i in ids
        ],
    )
    db_session.commit()
    value = tier_scheme("value_tiers")
    gold = [i for i in ids if i % 7]  # 2,572 ids on both sides of the boundary
    store(value, {i: "Gold" if i % 7 else "Silver" for i in ids})

    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        flt = AccountFilter(tier_scheme_id=value.id, tier="Gold")
        found = db_session.scalars(accounts.list_query(db_session, actor(manager), flt)).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert [a.id for a in found] == gold  # sorted by name, which follows the id here
    account_reads = [(s, p) for s, p in statements if "FROM account" in s]
    assert account_reads
    for _, parameters in account_reads:
        assert len(parameters) < 10


def stage_row(summary: dict, stage: str) -> tuple[int, int]:
    row = next(r for r in summary["by_stage"] if r["stage"] == stage)
    return row["accounts"], row["arr_cents"]


def test_book_summary_counts_accounts_and_arr_per_stage(db_session, manager, csm, other_csm):
    emea, na = CompanyFactory(region="EMEA"), CompanyFactory(region="NA")
    today = date.today()
    later, past, soon = (
        today + timedelta(days=200),
        today - timedelta(days=1),
        today + timedelta(days=30),
    )
    AccountFactory(
        company=emea, lifecycle_stage="active", arr_cents=100_00, csm=csm, renewal_date=later
    )
    AccountFactory(
        company=na, lifecycle_stage="active", arr_cents=250_00, csm=other_csm, renewal_date=past
    )
    AccountFactory(
        company=na, lifecycle_stage="at_risk", arr_cents=40_00, csm=None, renewal_date=None
    )
    AccountFactory(
        company=emea, lifecycle_stage="onboarding", arr_cents=7_00, csm=csm, renewal_date=soon
    )

    summary = accounts.book_summary(db.session, actor(manager))

    assert (summary["accounts"], summary["arr_cents"]) == (4, 397_00)
    assert stage_row(summary, "active") == (2, 350_00)
    assert stage_row(summary, "at_risk") == (1, 40_00)
    assert stage_row(summary, "onboarding") == (1, 7_00)
    assert stage_row(summary, "churned") == (0, 0)
    regions = {r["region"]: (r["accounts"], r["arr_cents"]) for r in summary["by_region"]}
    assert regions == {"EMEA": (2, 107_00), "NA": (2, 290_00)}
    assert summary["unassigned"] == 1
    assert summary["renewals_due"] == 1


def test_book_summary_for_a_csm_covers_only_their_book(db_session, csm, other_csm):
    company = CompanyFactory(region="APAC")
    AccountFactory(company=company, lifecycle_stage="active", arr_cents=100_00, csm=csm)
    AccountFactory(company=company, lifecycle_stage="churned", arr_cents=30_00, csm=csm)
    AccountFactory(company=company, lifecycle_stage="active", arr_cents=999_00, csm=other_csm)
    AccountFactory(company=company, lifecycle_stage="active", arr_cents=555_00, csm=None)

    summary = accounts.book_summary(db.session, actor(csm))

    assert (summary["accounts"], summary["arr_cents"]) == (2, 130_00)
    assert stage_row(summary, "active") == (1, 100_00)
    assert stage_row(summary, "churned") == (1, 30_00)
    assert summary["by_region"] == [{"region": "APAC", "accounts": 2, "arr_cents": 130_00}]
    assert summary["unassigned"] == 0


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")], ids=str)
def test_a_non_finite_attribute_is_refused_by_create_and_update(db_session, manager, number):
    """The service refuses what any entry point might pass on: one check for form and API."""
    account = AccountFactory(attributes={"nps": 7})
    company_id = account.company_id
    before = counts()

    with pytest.raises(ValidationFailed) as update_refused:
        accounts.update_account(
            db_session, actor(manager), account.id, {"attributes": {"nps": number}}, 1
        )
    db_session.rollback()
    values = {"external_id": "AC-NF", "name": "NF", "company_id": company_id}
    with pytest.raises(ValidationFailed) as create_refused:
        accounts.create_account(db_session, actor(manager), values | {"attributes": {"x": number}})
    db_session.rollback()

    assert update_refused.value.errors == {
        "attributes.nps": [
            "Custom attribute nps must be a finite number (not NaN or infinity, nor beyond ±1e308)."
        ]
    }
    assert list(create_refused.value.errors) == ["attributes.x"]
    assert stored(account.id)["attributes"] == {"nps": 7}
    assert counts() == before


def test_list_pages_count_to_the_cap_and_walk_the_book_in_order(world):
    from cstier.services.account_list import list_page

    company = world.company
    for n in range(10):
        AccountFactory(company=company, arr_cents=(n % 4) * 1_000_00, name=f"Paged {n}")
    flt = AccountFilter(company_id=company.id, sort="arr", descending=True)
    who = actor(world.manager)
    first = list_page(db.session, who, flt, 1, 3, count_cap=4)
    assert (first.total, first.more, first.has_next) == (4, True, True)
    # A page past the cap counts as far as its own end, and says whether more follow.
    third = list_page(db.session, who, flt, 3, 3, count_cap=4)
    assert (third.total, third.more) == (9, True)
    last = list_page(db.session, who, flt, 4, 3, count_cap=4)
    assert (last.total, last.more, last.has_next) == (11, False, False)
    beyond = list_page(db.session, who, flt, 5, 3, count_cap=4)
    assert (beyond.items, beyond.total) == ([], 11)
    walked = [row.id for p in range(1, 5) for row in list_page(db.session, who, flt, p, 3, 4).items]
    everything = list_page(db.session, who, flt, 1, 50, count_cap=4)
    assert walked == [row.id for row in everything.items] and len(walked) == 11
    arrs = [row.arr_cents for row in everything.items]
    assert arrs == sorted(arrs, reverse=True)
