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


def test_a_web_host_plans_pages_without_parallel_workers(app, db_session):
    from cstier.extensions import db
    from cstier.web.page_database import tune_for_pages

    postgres = db_session.get_bind().dialect.name == "postgresql"
    before = (
        db_session.execute(text("SHOW max_parallel_workers_per_gather")).scalar()
        if postgres
        else None
    )
    tune_for_pages(app)  # as wsgi.py does
    with app.app_context():
        if postgres:
            assert before != "0"  # batch processes keep their workers
            shown = db.session.execute(text("SHOW max_parallel_workers_per_gather")).scalar()
            assert shown == "0"
            db.session.rollback()
            assert db.session.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
        else:
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
