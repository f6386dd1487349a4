"""Bulk writes store what the ORM would; SQLite's log is checkpointed after a large job."""

import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from cstier.models import AccountCoverage, TierChange, TieringRun, TierScheme
from cstier.services.tiering.changes import HISTORY_COLUMNS
from cstier.store.bulk_writes import LOOKUP_SHARE, BulkWriter, checkpoint_after
from tests.factories import AccountFactory

TRICKY = [
    "",
    "plain",
    "tab\there",
    "line\nbreak and \r\n",
    "back\\slash \\N \\t",
    "quotes ' \" `",
    "\\N",
    "unicode é ü 漢字 🚀 \u00a0",
    "comma, semicolon; pipe |",
]
# What an update may set on a history row: tricky texts and NULLs.
UPDATED = ("from_tier", "to_tier", "scheme_version", "explanation")
AWARE = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
# A naive time takes PostgreSQL's text COPY (read in the session's zone); an aware one binary.
TIMES = [
    AWARE,
    AWARE.astimezone(timezone(timedelta(hours=-7, minutes=-30))),
    datetime(2026, 3, 4, 5, 6, 7, 891011),
]


@pytest.fixture
def book(db_session):
    """Accounts, a run, and two schemes: one written in bulk, the other through the ORM."""
    accounts = [AccountFactory() for _ in TRICKY]
    bulk_scheme = TierScheme(key="value_tiers", name="Value", dimension="value")
    orm_scheme = TierScheme(key="value_orm", name="Value (ORM)", dimension="value")
    run = TieringRun(started_at=AWARE)
    db_session.add_all([bulk_scheme, orm_scheme, run])
    db_session.flush()
    return accounts, bulk_scheme, orm_scheme, run


def stored(session, model, scheme: TierScheme) -> list[tuple]:
    """Return a scheme's rows as tuples of every other column, read back through the ORM."""
    session.expire_all()
    columns = [c.name for c in model.__table__.columns if c.name not in ("id", "scheme_id")]
    rows = session.scalars(
        select(model).where(model.scheme_id == scheme.id).order_by(model.account_id)
    ).all()
    return [tuple(getattr(row, name) for name in columns) for row in rows]


def history_values(i: int, text_: str, run: TieringRun) -> dict:
    return dict(
        dimension="value", from_tier=None if i % 2 else text_, to_tier=f"T{i % 3} {text_}",
        run_id=run.id, reason="rule", scheme_version=None if i % 3 else 2, explanation=text_,
        inputs=None if i % 2 else json.dumps({"text": text_}),
    )  # fmt: skip


@pytest.mark.parametrize("now", TIMES, ids=["utc", "offset", "naive"])
def test_inserts_store_tricky_values_as_the_orm_does(db_session, book, now):
    accounts, bulk_scheme, orm_scheme, run = book
    writer = BulkWriter(db_session, now)
    history = []
    for i, (a, text_) in enumerate(zip(accounts, TRICKY, strict=True)):
        change = history_values(i, text_, run)
        change |= {"account_id": a.id, "scheme_id": bulk_scheme.id, "at": writer.stamp}
        history.append(tuple(change[c] for c in HISTORY_COLUMNS))
        db_session.add(TierChange(**change | {"scheme_id": orm_scheme.id, "at": now}))
    db_session.flush()
    writer.insert("tier_change", HISTORY_COLUMNS, history)
    assert stored(db_session, TierChange, bulk_scheme) == stored(db_session, TierChange, orm_scheme)


def old_history(session, accounts, schemes, run) -> dict[int, list[TierChange]]:
    """Give every account one plain history row per scheme; return them by scheme id."""
    rows = {}
    for scheme in schemes:
        rows[scheme.id] = [
            TierChange(
                account_id=a.id, scheme_id=scheme.id, dimension="value", from_tier="Old",
                to_tier="Old", at=AWARE, run_id=run.id, reason="rule", scheme_version=1,
                explanation="old",
            )
            for a in accounts
        ]  # fmt: skip
        session.add_all(rows[scheme.id])
    session.flush()
    return rows


@pytest.mark.parametrize("now", TIMES, ids=["utc", "offset", "naive"])
def test_update_sets_tricky_values_and_nulls_by_key(db_session, book, now):
    accounts, bulk_scheme, orm_scheme, run = book
    rows = old_history(db_session, accounts, (bulk_scheme, orm_scheme), run)
    writer = BulkWriter(db_session, now)
    moves = []
    # every other row changes; the rest stay untouched
    for i, (bulk_row, orm_row, text_) in enumerate(
        zip(rows[bulk_scheme.id], rows[orm_scheme.id], TRICKY, strict=True)
    ):
        if i % 2:
            continue
        values = history_values(i, text_, run)
        moves.append((bulk_row.id, *(values[c] for c in UPDATED)))
        for name in UPDATED:
            setattr(orm_row, name, values[name])
    db_session.flush()
    writer.update("tier_change", ("id",), UPDATED, moves)
    assert stored(db_session, TierChange, bulk_scheme) == stored(db_session, TierChange, orm_scheme)


def test_update_by_lookups_leaves_the_planner_settings_as_it_found_them(db_session, book):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    accounts, scheme, _, run = book
    rows = old_history(db_session, accounts, (scheme,), run)[scheme.id]
    db_session.execute(text("ANALYZE tier_change"))
    db_session.execute(text("SET LOCAL enable_mergejoin = off"))
    writer = BulkWriter(db_session, AWARE)
    moved = rows[:2]  # a small share of the table: looked up by key
    assert len(moved) * LOOKUP_SHARE <= len(rows)
    writer.update("tier_change", ("id",), ("to_tier",), [(r.id, "New") for r in moved])
    settings = db_session.execute(
        text(
            "SELECT current_setting('enable_memoize'), current_setting('enable_hashjoin'), "
            "current_setting('enable_mergejoin')"
        )
    ).one()
    assert tuple(settings) == ("on", "on", "off")
    db_session.expire_all()
    assert [r.to_tier for r in rows] == ["New", "New"] + ["Old"] * (len(rows) - 2)


def test_update_with_one_key_and_booleans(db_session):
    accounts = [AccountFactory() for _ in range(3)]
    db_session.flush()
    for a in accounts:
        db_session.add(AccountCoverage(account_id=a.id, needs_reassignment=False, updated_at=AWARE))
    db_session.flush()
    writer = BulkWriter(db_session, AWARE + timedelta(hours=1))
    writer.update(
        "account_coverage",
        ("account_id",),
        ("needs_reassignment", "suggested_owner_id", "updated_at"),
        [(accounts[0].id, True, None, writer.stamp), (accounts[2].id, False, None, writer.stamp)],
    )
    db_session.expire_all()
    rows = [db_session.get(AccountCoverage, a.id) for a in accounts]
    assert [r.needs_reassignment for r in rows] == [True, False, False]
    hours = [r.updated_at.replace(tzinfo=UTC).hour for r in rows]
    assert hours == [AWARE.hour + 1, AWARE.hour, AWARE.hour + 1]


def test_nothing_to_write_is_a_no_op(db_session):
    writer = BulkWriter(db_session, AWARE)
    writer.insert("tier_change", HISTORY_COLUMNS, [])
    writer.update("tier_change", ("id",), UPDATED, [])
    assert db_session.scalar(select(TierChange.id)) is None


@pytest.fixture
def sqlite_only(db_session):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("checkpoints are SQLite's; PostgreSQL runs its own checkpointer")
    return db_session


def rows_in_the_file(session, scratch_copy: Path) -> int | None:
    """Return the scratch rows the database file holds by itself, without its log (None: no table).

    A copy of the file alone is read, so what sits only in the log is not seen.
    """
    shutil.copyfile(session.get_bind().url.database, scratch_copy)
    try:
        with closing(sqlite3.connect(scratch_copy)) as copy:
            return copy.execute("SELECT COUNT(*) FROM scratch").fetchone()[0]
    except sqlite3.DatabaseError:  # no such table, or a page caught mid-write: not there yet
        return None
    finally:
        for leftover in scratch_copy.parent.glob(scratch_copy.name + "*"):
            leftover.unlink()


def empty_log(session) -> None:
    """Copy the log back and empty it, so only the job's own pages are logged."""
    session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def eventually(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def autocheckpoint(session) -> int:
    return int(session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def fill_log(session, pages: int) -> None:
    session.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, filler TEXT)"))
    session.execute(
        text("INSERT INTO scratch (filler) VALUES (:filler)"),
        [{"filler": "x" * 4000} for _ in range(pages)],
    )
    session.commit()


def test_a_large_job_commits_without_checkpointing_then_a_thread_does(sqlite_only, tmp_path):
    session = sqlite_only
    empty_log(session)
    before = autocheckpoint(session)
    with checkpoint_after(session, min_pages=1_000):
        assert autocheckpoint(session) == 0
        fill_log(session, 3_000)  # past SQLite's 1,000-page automatic checkpoint
    # The job's pages reach the database file without another statement on this connection.
    copy = tmp_path / "file-alone.sqlite"
    assert eventually(lambda: rows_in_the_file(session, copy) == 3_000, seconds=30)
    assert autocheckpoint(session) == before
    busy, frames, copied = (
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    )
    assert copied == frames  # everything logged is back in the database file
    session.execute(text("DROP TABLE scratch"))
    session.commit()


def test_a_small_job_leaves_the_checkpoint_to_sqlite(sqlite_only, tmp_path):
    session = sqlite_only
    empty_log(session)
    with checkpoint_after(session, min_pages=1_000_000):
        fill_log(session, 10)
    copy = tmp_path / "file-alone.sqlite"
    assert not eventually(lambda: rows_in_the_file(session, copy) is not None, seconds=0.5)
    session.execute(text("DROP TABLE scratch"))
    session.commit()
