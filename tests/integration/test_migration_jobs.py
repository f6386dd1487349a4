"""Migration 0026 adds the scheduler's tables and its downgrade removes them."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app

TABLES = {"job_run", "job_schedule", "scheduler_heartbeat", "background_job", "feed_file"}


def test_the_jobs_tables_come_and_go_with_the_migration(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0026")
        added = TABLES & set(inspect(db.engine).get_table_names())
        downgrade(revision="0024")
        left = TABLES & set(inspect(db.engine).get_table_names())
        upgrade(revision="0026")
        again = TABLES & set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert (added, left, again) == (TABLES, set(), TABLES)
