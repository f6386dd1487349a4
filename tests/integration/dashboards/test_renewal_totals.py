"""Renewals per value tier: stored by a run, served while current, summed live otherwise."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import TierScheme
from cstier.models.base import utcnow
from cstier.services.dashboards.renewal_totals import (
    live_renewals,
    renewals_by_tier,
    stored_renewals,
)
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.store.book_marks import writes_are_marked
from tests.factories import AccountFactory, CompanyFactory


def window() -> tuple:
    """The dashboard's window as of now (not of import: a run may cross midnight)."""
    today = utcnow().date()
    return today, today + timedelta(days=90)


@pytest.fixture
def value_id(db_session) -> int:
    """Six accounts renewing before, inside and after the window, tiered by a run."""
    today = utcnow().date()
    ensure_default_schemes(db_session)
    company = CompanyFactory(employees=500, region="EMEA", industry="Software")
    for arr, renews_in in [(300_000, 5), (300_000, 90), (100_000, 30), (40_000, 0), (40_000, -1)]:
        AccountFactory(
            company=company,
            arr_cents=arr * 100,
            contract_start_date=today - timedelta(days=400),
            renewal_date=today + timedelta(days=renews_in),
        )
    AccountFactory(company=company, arr_cents=500_000_00, renewal_date=today + timedelta(days=91))
    db_session.commit()
    retier_book(db_session, SYSTEM_ACTOR, trigger="cli")
    return db_session.scalar(select(TierScheme.id).where(TierScheme.key == "value_tiers"))


def as_set(renewals) -> set:
    return {(tier, int(accounts), int(arr)) for tier, accounts, arr in renewals}


def served(session, scheme_id) -> bool:
    """A run's totals serve where the database marks writes (PostgreSQL), never elsewhere."""
    return (stored_renewals(session, scheme_id, *window()) is not None) == writes_are_marked(
        session
    )


def test_a_run_stores_them_and_they_equal_the_live_sums(db_session, value_id):
    assert served(db_session, value_id)
    totals = as_set(renewals_by_tier(db_session, value_id, *window()))
    assert totals == as_set(live_renewals(db_session, value_id, *window()))
    assert sum(accounts for _, accounts, _ in totals) == 4  # the day before and after: out
    assert sum(arr for _, _, arr in totals) == (300_000 + 300_000 + 100_000 + 40_000) * 100


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE account SET renewal_date = renewal_date + 1",
        "UPDATE account SET arr_cents = arr_cents + 100",
        "DELETE FROM current_tier WHERE account_id = (SELECT min(account_id) FROM current_tier)",
        "DELETE FROM account WHERE id = (SELECT min(id) FROM account)",
    ],
)
def test_any_write_that_moves_a_renewal_marks_them(db_session, value_id, write):
    db_session.execute(text(write))
    db_session.commit()

    assert stored_renewals(db_session, value_id, *window()) is None
    assert as_set(renewals_by_tier(db_session, value_id, *window())) == as_set(
        live_renewals(db_session, value_id, *window())
    )


def test_a_new_account_marks_them(db_session, value_id):
    AccountFactory(arr_cents=1_00, renewal_date=window()[0] + timedelta(days=3))
    db_session.commit()

    assert stored_renewals(db_session, value_id, *window()) is None
    live = live_renewals(db_session, value_id, *window())
    assert sum(accounts for _, accounts, _ in live) == 5


def test_writes_that_move_no_renewal_keep_them(db_session, value_id):
    db_session.execute(text("UPDATE account SET name = name || ' (renamed)'"))
    db_session.commit()

    assert served(db_session, value_id)


def test_a_window_past_what_was_stored_sums_live(db_session, value_id):
    far = (window()[0] + timedelta(days=300), window()[0] + timedelta(days=400))
    assert stored_renewals(db_session, value_id, *far) is None
    assert renewals_by_tier(db_session, value_id, *far) == []


def test_without_a_scheme_every_renewal_counts_under_no_tier(db_session, value_id):
    assert as_set(renewals_by_tier(db_session, None, *window())) == {
        (None, 4, (300_000 + 300_000 + 100_000 + 40_000) * 100)
    }


def test_the_dashboard_shows_them_per_value_tier(db_session, value_id, manager):
    from cstier.domain.permissions import Actor
    from cstier.services.dashboards.manager import manager_dashboard

    board = manager_dashboard(db.session, Actor(manager.id, "cs_manager"))

    assert {(r["tier"], r["accounts"]) for r in board.renewals} == {
        (tier, accounts) for tier, accounts, _ in live_renewals(db_session, value_id, *window())
    }
    assert board.renewal_window == window()
