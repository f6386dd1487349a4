"""Migration 0032 adds the saved import mappings, and its downgrade removes them."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app


def test_import_mapping_up_and_down(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0032")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO import_mapping (kind, mapping, created_at, updated_at) "
                "VALUES ('accounts', '{\"columns\": {}}', '2026-01-01', '2026-01-01')"
            ))  # fmt: skip
            version = conn.execute(text("SELECT version FROM import_mapping")).scalar()
        tables_up = set(inspect(db.engine).get_table_names())
        downgrade(revision="0024")
        tables_down = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert version == 1 and "import_mapping" in tables_up and "import_mapping" not in tables_down
