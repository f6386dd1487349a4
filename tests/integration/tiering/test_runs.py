"""Tiering runs: first run, no-op rerun, a band change, hysteresis, dry runs and the run record."""

import pytest
from sqlalchemy import event, text

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.domain.tiering.inputs import read_inputs
from cstier.models import OutboxEvent, TierChange, TieringRun, TierScheme
from cstier.services.alerts import alerts_query
from cstier.services.coverage.derive import derive_coverage
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import save_version
from cstier.store.sizes import BatchSizes
from tests.integration.tiering.conftest import (
    FEB,
    JAN,
    changes_of,
    count,
    events,
    last_run,
    set_arr,
    tier_count,
    tier_of,
)

KEYS = {"value_tiers", "needs_tiers", "company_size", "region", "vertical"}


def test_first_run_tiers_every_account_by_the_default_schemes(db_session, book):
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    assert count(TierScheme) == 5
    assert set(summary.changes) == KEYS
    assert tier_count() == 3 * 5
    assert count(TierChange) == 3 * 5
    assert {c.reason for c in changes_of(book["big"].id)} == {"rule"}
    assert tier_of(book["big"].id).tier == "Strategic"
    assert tier_of(book["mid"].id).tier == "Growth"
    assert tier_of(book["small"].id).tier == "Scale"
    assert tier_of(book["big"].id, "company_size").tier == "Enterprise"
    assert "ARR 300,000 ≥ 250,000 → Strategic" in tier_of(book["big"].id).explanation
    assert events() == []  # a first tiering is not an alert


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_managers_admins_and_the_system_start_a_run(db_session, book, csm, role):
    with pytest.raises(Forbidden, match="Only managers and admins start tiering runs"):
        run_tiering(db_session, Actor(csm.id, role), trigger="web", now=JAN)

    assert (count(TieringRun), count(TierChange), tier_count()) == (0, 0, 0)


def test_a_workspace_without_schemes_is_told_to_create_them_and_nothing_is_written(
    db_session, manager
):
    with pytest.raises(ValidationFailed, match="an admin creates the default schemes first"):
        run_tiering(db_session, Actor(manager.id, "cs_manager"), trigger="web", now=JAN)

    assert (count(TierScheme), count(TieringRun)) == (0, 0)


def test_second_run_without_data_change_writes_nothing(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    history = count(TierChange)
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert sum(summary.changes.values()) == 0
    assert count(TierChange) == history
    assert count(OutboxEvent) == 0


def test_arr_change_moves_only_that_account(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["mid"], 400_000)
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="web", now=FEB)
    assert summary.changes["value_tiers"] == 1
    assert sum(summary.changes.values()) == 1
    latest = changes_of(book["mid"].id)[-1]
    assert (latest.from_tier, latest.to_tier, latest.reason) == ("Growth", "Strategic", "rule")
    assert latest.run_id == summary.run_id
    (event,) = events()
    assert event.topic == "tiers.changed"
    assert event.payload == {
        "run_id": summary.run_id,
        "alerts": 1,
        "by_scheme": {"value_tiers": 1},
    }
    # The event names the run; its alerts are that run's history rows.
    (alert,) = db_session.execute(alerts_query(Actor(None, "admin"), run_id=summary.run_id)).all()
    assert (alert.account_id, alert.from_tier, alert.to_tier) == (
        book["mid"].id,
        "Growth",
        "Strategic",
    )
    assert alert.scheme_key == "value_tiers"
    assert tier_of(book["big"].id).run_id != summary.run_id


def test_hysteresis_keeps_an_account_just_past_a_boundary(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["small"], 51_000)  # past 50,000 but inside the 5 % margin
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert summary.changes["value_tiers"] == 0
    assert tier_of(book["small"].id).tier == "Scale"
    set_arr(book["small"], 53_000)  # clear of the margin
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert tier_of(book["small"].id).tier == "Growth"


def test_dry_run_writes_no_tiers_but_records_the_run(db_session, book, admin):
    summary = run_tiering(
        db_session, Actor(admin.id, "admin"), trigger="web", dry_run=True, now=JAN
    )
    assert tier_count() == 0
    assert count(TierChange) == 0
    run = last_run()
    assert run.dry_run and run.status == "succeeded"
    assert run.changes["value_tiers"] == 3
    assert run.triggered_by_id == admin.id
    assert summary.changes == run.changes


def test_run_record_has_versions_counts_and_changes(db_session, book):
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    run = db_session.get(TieringRun, summary.run_id)
    assert run.scheme_versions == {key: 1 for key in KEYS}
    assert run.accounts_evaluated == 3
    assert run.changes == {key: 3 for key in KEYS}
    assert run.finished_at is not None and run.status == "succeeded"


def test_a_run_flushed_in_small_batches_writes_every_tier_and_history_row(db_session, book):
    small = BatchSizes(tier_flush_rows=2)
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN, sizes=small)
    written = sum(summary.changes.values())
    assert written == len(book) * len(KEYS)
    assert tier_count() == written
    assert count(TierChange) == written
    set_arr(book["mid"], 400_000)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB, sizes=small)
    assert tier_of(book["mid"].id).tier == "Strategic"
    value = {s.key: s.id for s in db_session.query(TierScheme)}["value_tiers"]
    moves = [c.to_tier for c in changes_of(book["mid"].id) if c.scheme_id == value]
    assert moves == ["Growth", "Strategic"]


def test_a_run_reading_its_book_in_chunks_on_two_connections_tiers_it_the_same(db_session, book):
    one_by_one = BatchSizes(book_chunk_rows=1)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN, sizes=one_by_one)
    assert tier_of(book["big"].id).tier == "Strategic"
    assert tier_of(book["mid"].id).tier == "Growth"
    assert tier_of(book["small"].id).tier == "Scale"
    set_arr(book["mid"], 400_000)  # committed before the run, as run_tiering requires
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB, sizes=one_by_one)
    assert summary.changes["value_tiers"] == 1
    assert tier_of(book["mid"].id).tier == "Strategic"
    assert summary.coverage_changes == 1  # Growth to Strategic moves mid's coverage model
    # Deriving again from one connection finds nothing the run's two-connection read missed.
    assert derive_coverage(db_session).changed == 0


def test_a_run_reads_the_stored_coverage_once_before_it_writes(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["mid"], 400_000)
    statements = []

    def seen(conn, cursor, statement, *args):
        upper = statement.lstrip().upper()
        if upper.startswith("SELECT") and "FROM ACCOUNT_COVERAGE" in upper:
            statements.append("read coverage")
        elif upper.startswith(("UPDATE TIER_BLOCK", "INSERT INTO TIER_BLOCK")):
            statements.append("write tiers")

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert summary.coverage_changes == 1
    assert derive_coverage(db_session).changed == 0
    kinds = statements
    # The book snapshot holds the stored coverage, read before the run writes anything.
    assert "read coverage" in kinds[: kinds.index("write tiers")]


def test_a_run_holds_the_tier_writer_lock_until_it_commits(db_session, book):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time by itself")
    held = []

    def checking(session):
        held.append(session.scalar(text(LOCKS_HELD)))

    # Each commit of a run: the one before it starts, then the one that ends it.
    session = db_session()  # the session proper: its events, not every session's
    event.listen(session, "before_commit", checking)
    try:
        retier_book(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
        # Then the five commits storing the tier, owner and renewal totals, settling the recent
        # weeks' last tier change and storing their reviews, after the lock went with the run's.
        assert held == [0, 1, 0, 0, 0, 0, 0]
        assert db_session.scalar(text(LOCKS_HELD)) == 0  # released with the commit
        retier_book(db_session, SYSTEM_ACTOR, trigger="cli", dry_run=True, now=FEB)
    finally:
        event.remove(session, "before_commit", checking)
    assert held == [0, 1, 0, 0, 0, 0, 0, 0, 0]  # a dry run writes no tiers and waits for nobody


LOCKS_HELD = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = pg_backend_pid()"
)


PERCENTILES = {
    "dimension": "value",
    "name": "Value tiers",
    "method": "percentiles",
    "field": "arr",
    "percentiles": [{"tier": "Top", "share": 34}, {"tier": "Rest", "share": 66}],
}


@pytest.mark.parametrize("method", ["bands", "percentiles"])
def test_moves_explained_one_at_a_time_keep_each_its_own_explanation_and_inputs(
    db_session, book, admin_actor, method
):
    value = db_session.query(TierScheme).filter_by(key="value_tiers").one()
    if method == "percentiles":
        save_version(db_session, admin_actor, value.id, PERCENTILES, value.current_version)
    one_at_a_time = BatchSizes(tier_flush_rows=2, move_chunk_rows=1)

    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN, sizes=one_at_a_time)

    for name, arr in (("big", 300_000), ("mid", 100_000), ("small", 49_000)):
        [move] = [c for c in changes_of(book[name].id) if c.scheme_id == value.id]
        assert f"{arr:,}" in move.explanation
        assert read_inputs(move.inputs)["arr"] == arr
    assert tier_of(book["big"].id).tier == ("Top" if method == "percentiles" else "Strategic")
    assert count(TierChange) == len(book) * len(KEYS)
