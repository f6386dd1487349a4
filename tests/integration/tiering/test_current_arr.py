"""Value tiers on current ARR: running subscriptions where an account has any, else its ARR field."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import count as counter

import pandas as pd
import pytest
from sqlalchemy import event

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import Subscription
from cstier.models.base import utcnow
from cstier.services.coverage.derive import derive_coverage
from cstier.services.imports import ImportRequest, import_file
from cstier.services.tiering import current_arr, segments
from cstier.services.tiering.fields import FIELD_ARR_CENTS, field_catalog, load_book
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.tiering.conftest import changes_of, last_run, tier_of

EXTERNAL_IDS = counter(1)


def subscribe(account, monthly: int, start: date, end: date | None = None) -> Subscription:
    """Add a subscription of `monthly` currency units a month to an account."""
    subscription = Subscription(
        external_id=f"SUB-{next(EXTERNAL_IDS)}",
        account_id=account.id,
        product="Platform",
        start_date=start,
        end_date=end,
        mrr_cents=monthly * 100,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription


@pytest.fixture
def today() -> date:
    return utcnow().date()


# A run reads the subscriptions running on its own day: these runs are dated today.
def this_morning() -> datetime:
    return datetime.combine(utcnow().date(), time(6), UTC)


def later_today() -> datetime:
    return this_morning() + timedelta(hours=1)


@pytest.fixture
def accounts(db_session, today):
    """Three accounts whose ARR fields all say Scale or Growth; only one has live subscriptions."""
    ensure_default_schemes(db.session)  # as setting the workspace up does
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    two = AccountFactory(name="Two subs", company=company, arr_cents=10_000_00)
    lapsed = AccountFactory(name="Lapsed", company=company, arr_cents=100_000_00)
    bare = AccountFactory(name="Bare", company=company, arr_cents=30_000_00)
    subscribe(two, 13_000, today - timedelta(days=400))  # open-ended
    subscribe(
        two, 13_000, today - timedelta(days=30), end=today + timedelta(days=1)
    )  # ends tomorrow
    subscribe(lapsed, 90_000, today - timedelta(days=400), end=today - timedelta(days=1))
    subscribe(lapsed, 90_000, today + timedelta(days=1))  # not started yet
    subscribe(lapsed, 90_000, today - timedelta(days=900), end=today - timedelta(days=500))
    return {"two": two, "lapsed": lapsed, "bare": bare}


def test_value_tier_reads_running_subscriptions_zero_when_all_ended_else_the_arr_field(
    db_session, accounts
):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning())

    two = tier_of(accounts["two"].id)
    assert two.tier == "Strategic"
    assert "ARR 312,000 ≥ 250,000 → Strategic" in two.explanation
    # Subscriptions, none running today: current ARR 0, not the ARR field.
    assert tier_of(accounts["lapsed"].id).tier == "Scale"
    assert "ARR 0" in tier_of(accounts["lapsed"].id).explanation
    assert tier_of(accounts["bare"].id).tier == "Scale"


def test_load_book_replaces_arr_only_for_accounts_with_active_subscriptions(db_session, accounts):
    book = load_book(db_session, {"arr"}, field_catalog(db_session)).set_index("account_id")
    assert book["arr"].to_dict() == {
        accounts["two"].id: 312_000.0,
        accounts["lapsed"].id: 0.0,
        accounts["bare"].id: 30_000.0,
    }


def test_a_run_hands_coverage_the_arr_field_beside_the_current_arr(db_session, accounts):
    """Coverage balances books by the ARR field; a run passes it on with region and vertical."""
    book = load_book(db_session, {"arr"}, field_catalog(db_session), field_arr=True)
    assert book.set_index("account_id")[FIELD_ARR_CENTS].to_dict() == {
        accounts["two"].id: 10_000_00,
        accounts["lapsed"].id: 100_000_00,
        accounts["bare"].id: 30_000_00,
    }
    assert FIELD_ARR_CENTS not in load_book(db_session, {"arr"}, field_catalog(db_session))

    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning())

    assert tier_of(accounts["two"].id).tier == "Strategic"  # on current ARR
    # Coverage derived again from what is stored (the ARR field read anew) finds nothing
    # the run, deriving from the facts its book handed on, got otherwise.
    assert derive_coverage(db_session).changed == 0


def test_active_means_started_and_before_its_end_date(db_session, accounts, today):
    def arr_on(day: date) -> dict[int, int]:
        frame = current_arr.active_subscription_arr(db_session, day)
        return dict(zip(frame["account_id"], frame["arr_cents"], strict=True))

    assert arr_on(today) == {accounts["two"].id: 312_000_00, accounts["lapsed"].id: 0}
    assert arr_on(today + timedelta(days=1)) == {
        accounts["two"].id: 156_000_00,
        accounts["lapsed"].id: 1_080_000_00,
    }
    # Lapsed's subscription ended yesterday: yesterday is the first day it no longer ran.
    assert arr_on(today - timedelta(days=1)) == {
        accounts["two"].id: 312_000_00,
        accounts["lapsed"].id: 0,
    }
    assert arr_on(today - timedelta(days=2))[accounts["lapsed"].id] == 1_080_000_00


def test_without_subscriptions_the_book_costs_one_query_and_keeps_its_field(db_session):
    company = CompanyFactory()
    AccountFactory(company=company, arr_cents=260_000_00)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        book = load_book(db_session, {"arr"}, field_catalog(db_session))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [s for s in statements if "subscription" in s.lower()] == [statements[-1]]
    assert "GROUP BY" in statements[-1]
    assert book["arr"].tolist() == [260_000.0]


def test_current_arr_hands_back_the_field_when_nothing_is_active(db_session):
    field = pd.Series([1.0, 2.0], name="arr")
    assert current_arr.current_arr(db_session, pd.Series([1, 2]), field) is field


def test_inserted_subscription_retiers_with_history(db_session, accounts, today):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning())
    subscribe(accounts["bare"], 25_000, today - timedelta(days=10))

    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=later_today())

    assert summary.changes["value_tiers"] == 1
    # The subscription also feeds the needs signals (products, seats): pick the value move.
    latest = [c for c in changes_of(accounts["bare"].id) if c.dimension == "value"][-1]
    assert (latest.from_tier, latest.to_tier, latest.reason) == ("Scale", "Strategic", "rule")
    assert latest.run_id == summary.run_id
    assert "ARR 300,000 ≥ 250,000 → Strategic" in latest.explanation


def test_subscription_import_retiers_with_history(db_session, accounts, today, tmp_path):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning())
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "external_id,account_external_id,product,start_date,end_date,mrr\n"
        f"IMP-1,{accounts['lapsed'].external_id},Platform,{today - timedelta(days=5)},,25000\n"
        f"IMP-2,{accounts['lapsed'].external_id},Add-on,{today - timedelta(days=5)},,1000\n"
    )

    outcome = import_file(db.session, ImportRequest("subscriptions", path, path.name, retier=True))

    assert (outcome.status, outcome.created, outcome.errors.total) == ("applied", 2, 0)
    run = last_run()
    assert (run.id, run.trigger) == (outcome.retier_run_id, "import")
    latest = [c for c in changes_of(accounts["lapsed"].id) if c.dimension == "value"][-1]
    assert (latest.from_tier, latest.to_tier, latest.run_id) == ("Scale", "Strategic", run.id)
    assert "ARR 312,000 ≥ 250,000 → Strategic" in latest.explanation


def test_segment_summary_sums_current_arr(db_session, accounts, admin):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning())

    summary = segments.tier_summary(db_session, Actor(admin.id, "admin"))

    value = next(s for s in summary if s["scheme"].key == "value_tiers")
    assert {t["tier"]: t["arr_cents"] for t in value["tiers"]} == {
        "Strategic": 312_000_00,
        "Scale": 30_000_00,
    }


def test_one_accounts_current_arr_and_its_subscription_count(db_session, accounts):
    assert current_arr.account_current_arr(db_session, accounts["two"]) == (312_000_00, 2, True)
    assert current_arr.account_current_arr(db_session, accounts["lapsed"]) == (0, 0, True)
    assert current_arr.account_current_arr(db_session, accounts["bare"]) == (30_000_00, 0, False)


def test_a_subscription_ending_on_its_start_day_never_runs(db_session, accounts, today):
    subscribe(accounts["bare"], 1_000, today, end=today)
    assert current_arr.account_current_arr(db_session, accounts["bare"]) == (0, 0, True)
