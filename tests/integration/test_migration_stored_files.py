"""Migration 0034 adds the stored-file tables and its downgrade removes them."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app

TABLES = {"stored_file", "stored_file_chunk"}


def test_the_stored_file_tables_come_and_go_with_the_migration(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0034")
        added = TABLES & set(inspect(db.engine).get_table_names())
        downgrade(revision="-1")
        left = TABLES & set(inspect(db.engine).get_table_names())
        upgrade(revision="0034")
        again = TABLES & set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert (added, left, again) == (TABLES, set(), TABLES)
