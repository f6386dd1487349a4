"""Every connection is set up as the store relies on: SQLite's pragmas, PostgreSQL without JIT."""

import pytest
from sqlalchemy import text


def test_each_connection_is_tuned_for_its_engine(db_session):
    engine = db_session.get_bind().dialect.name
    if engine == "postgresql":
        # A list's statement over a big table would otherwise spend 100 ms compiling.
        assert db_session.execute(text("SHOW jit")).scalar() == "off"
    elif engine == "sqlite":
        assert db_session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db_session.execute(text("PRAGMA journal_mode")).scalar() in ("wal", "memory")
    else:
        pytest.fail(f"no tuning known for {engine}")


def test_jit_stays_off_after_a_rollback(db_session):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    db_session.rollback()
    assert db_session.execute(text("SHOW jit")).scalar() == "off"
