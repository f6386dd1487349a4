"""Capacity and the manager's loads from totals a run stored, served only while they hold."""

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import AccountCoverage, ChurnedAccount
from cstier.models.base import utcnow
from cstier.services.accounts import update_account
from cstier.services.coverage import coverage_reads, owner_totals, suggestions
from cstier.services.coverage.capacity import capacity_report
from cstier.services.coverage.derive import derive_coverage
from cstier.services.dashboards.manager import overloaded_csms
from cstier.services.metrics.churned import refresh_churned
from cstier.services.page_totals import store_page_totals
from cstier.services.tiering.retier import retier_book
from cstier.store.book_marks import writes_are_marked
from tests.factories import AccountFactory, CompanyFactory, SubscriptionFactory
from tests.integration.coverage.conftest import give_profile, set_tiers


@pytest.fixture
def book(db_session, seeded, csm, other_csm):
    """csm owns 12 high-touch accounts on half an FTE (over target); 3 more are unassigned."""
    give_profile(csm, ["high_touch"], fte="0.1")
    give_profile(other_csm, ["high_touch", "pooled"], regions=["EMEA"])
    owned = [AccountFactory(csm=csm, arr_cents=(200 + i) * 1000_00) for i in range(12)]
    apac = CompanyFactory(region="APAC")
    open_high = [AccountFactory(arr_cents=300_000_00) for _ in range(2)]
    open_pooled = [AccountFactory(company=apac, arr_cents=60_000_00)]
    for account in owned + open_high:
        set_tiers(account, "Strategic", "High")
    for account in open_pooled:
        set_tiers(account, "Growth", "Low")
    db_session.add(ChurnedAccount(account_id=owned[0].id))
    derive_coverage(db_session)
    db_session.commit()
    store_page_totals(db_session)
    return {"owned": owned, "open_high": open_high, "open_pooled": open_pooled}


def current(totals) -> bool:
    """Stored totals are served where the database marks writes (PostgreSQL), never elsewhere."""
    return (totals is not None) == writes_are_marked(db.session)


def ordered(frame: pd.DataFrame) -> list[tuple]:
    """Return a totals frame's rows as plain tuples in key order, to compare stored with live."""
    rows = frame[["csm_id", "coverage_model_id", "accounts", "arr_cents"]].astype(object)
    rows = rows.where(rows.notna(), None)
    return sorted(
        (tuple(None if v is None else int(v) for v in row) for row in rows.itertuples(False)),
        key=lambda r: tuple((v is None, v or 0) for v in r),
    )


def assert_served_equals_live(session) -> None:
    """What the pages read equals the sums made now, stored or not."""
    assert ordered(coverage_reads.book_totals_frame(session)) == ordered(
        coverage_reads.live_book_totals(session)
    )
    assert ordered(coverage_reads.owned_totals_frame(session)) == ordered(
        coverage_reads.live_owned_totals(session)
    )


def test_stored_totals_are_served_and_equal_the_live_sums(db_session, book, csm):
    assert current(owner_totals.stored_owner_totals(db_session))
    assert_served_equals_live(db_session)
    report = capacity_report(db_session)
    assert {r["csm_id"]: r["accounts"] for r in report.csms}[csm.id] == 11  # one churned
    assert report.unassigned == 3
    assert [c["accounts"] for c in overloaded_csms(db_session) if c["csm_id"] == csm.id] == [12]


def test_a_run_stores_them(db_session, book):
    db_session.execute(text("UPDATE account SET arr_cents = arr_cents + 1"))
    db_session.commit()
    assert owner_totals.stored_owner_totals(db_session) is None

    retier_book(db_session, SYSTEM_ACTOR, trigger="cli")

    assert current(owner_totals.stored_owner_totals(db_session))
    assert_served_equals_live(db_session)


def test_accepting_a_suggestion_stales_them_and_the_pages_sum_live(db_session, book, manager):
    before = capacity_report(db_session)
    actor = Actor(user_id=manager.id, role=manager.role)
    picks = suggestions.all_picks(suggestions.propose(db_session))

    assert suggestions.accept(db_session, actor, picks[:1], "Take one").applied == 1

    assert owner_totals.stored_owner_totals(db_session) is None
    assert_served_equals_live(db_session)
    assert capacity_report(db_session).unassigned == before.unassigned - 1


@pytest.mark.parametrize(
    "write",
    [
        "DELETE FROM churned_account",
        "UPDATE account_coverage SET coverage_model_id = NULL",
        "UPDATE account SET csm_id = NULL",
        "DELETE FROM account_coverage",
    ],
)
def test_any_write_that_moves_a_total_marks_them(db_session, book, write):
    db_session.execute(text(write))
    db_session.commit()

    assert owner_totals.stored_owner_totals(db_session) is None
    assert_served_equals_live(db_session)


def test_a_tier_change_rederived_into_coverage_stales_them(db_session, book):
    set_tiers(book["open_pooled"][0], "Strategic", "High")
    assert current(owner_totals.stored_owner_totals(db_session))  # coverage not derived yet

    derive_coverage(db_session)
    db_session.commit()

    assert owner_totals.stored_owner_totals(db_session) is None
    assert_served_equals_live(db_session)


def test_writes_that_move_no_total_keep_them(db_session, book, manager):
    account = book["owned"][1]
    actor = Actor(user_id=manager.id, role=manager.role)
    update_account(db_session, actor, account.id, {"name": "Renamed"}, account.version)
    db_session.get(AccountCoverage, account.id).needs_reassignment = True
    db_session.commit()

    assert current(owner_totals.stored_owner_totals(db_session))
    assert_served_equals_live(db_session)


def test_a_churn_refresh_that_churns_nobody_keeps_them(db_session, book):
    today = utcnow().date()
    lapsed = book["owned"][3]  # churned by a subscription that ended: its `since` is a date
    SubscriptionFactory(account=lapsed, start_date=date(2025, 1, 1), end_date=date(2025, 6, 1))
    db_session.commit()
    refresh_churned(db_session, today)  # the fixture's hand-made churned row goes
    db_session.commit()
    store_page_totals(db_session)

    assert refresh_churned(db_session, today) == 1  # the lapsed one, stored the same again
    db_session.commit()
    assert current(owner_totals.stored_owner_totals(db_session))

    churning = book["owned"][2]
    churning.lifecycle_stage = "churned"
    db_session.commit()
    store_page_totals(db_session)
    assert refresh_churned(db_session, today) == 2
    db_session.commit()

    assert owner_totals.stored_owner_totals(db_session) is None
    assert {r.account_id for r in db_session.query(ChurnedAccount)} == {lapsed.id, churning.id}
    assert_served_equals_live(db_session)
