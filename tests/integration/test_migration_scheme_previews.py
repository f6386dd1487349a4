"""Migration 0037 adds the stored scheme previews, and its downgrade removes them."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app

TABLES = {"scheme_preview", "preview_move"}


def test_scheme_previews_up_and_down(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0037")
        tables_up = set(inspect(db.engine).get_table_names())
        keys = inspect(db.engine).get_pk_constraint("preview_move")["constrained_columns"]
        downgrade(revision="0034")
        tables_down = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert tables_up >= TABLES and not TABLES & tables_down
    assert keys == ["preview_id", "position"]
