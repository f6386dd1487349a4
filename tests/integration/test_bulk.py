"""Bulk-job helpers: SQLite's write-ahead log is checkpointed after a large job, not during it."""

import threading

import pytest
from sqlalchemy import text

from cstier.services import bulk
from cstier.services.bulk import checkpoint_after


@pytest.fixture
def sqlite_only(db_session):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("checkpoints are SQLite's; PostgreSQL runs its own checkpointer")
    return db_session


@pytest.fixture
def checkpoints(monkeypatch) -> threading.Event:
    """Set when the background checkpoint has run."""
    done, original = threading.Event(), bulk._checkpoint

    def checkpoint_and_tell(engine):
        original(engine)
        done.set()

    monkeypatch.setattr(bulk, "_checkpoint", checkpoint_and_tell)
    return done


def autocheckpoint(session) -> int:
    return int(session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def fill_log(session, pages: int) -> None:
    session.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, filler TEXT)"))
    session.execute(
        text("INSERT INTO scratch (filler) VALUES (:filler)"),
        [{"filler": "x" * 4000} for _ in range(pages)],
    )
    session.commit()


def test_a_large_job_commits_without_checkpointing_then_a_thread_does(sqlite_only, checkpoints):
    session = sqlite_only
    before = autocheckpoint(session)
    with checkpoint_after(session, min_pages=1_000):
        assert autocheckpoint(session) == 0
        fill_log(session, 3_000)  # past SQLite's 1,000-page automatic checkpoint
    assert checkpoints.wait(timeout=30)
    assert autocheckpoint(session) == before
    busy, frames, copied = (
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    )
    assert copied == frames  # everything logged is back in the database file
    session.execute(text("DROP TABLE scratch"))
    session.commit()


def test_a_small_job_leaves_the_checkpoint_to_sqlite(sqlite_only, checkpoints):
    session = sqlite_only
    with checkpoint_after(session, min_pages=1_000_000):
        fill_log(session, 10)
    assert not checkpoints.wait(timeout=0.5)
    session.execute(text("DROP TABLE scratch"))
    session.commit()
