"""Migration 0046 keeps the stored week's net moves and last change id, and marks only rewrites."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app

TRIGGERS = """
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
WHERE tgname IN ('tier_change_marks_moves', 'account_marks_moves_arr')
"""


def columns_and_triggers(db) -> tuple[set[str], dict[str, str]]:
    columns = {c["name"] for c in inspect(db.engine).get_columns("week_review_snapshot")}
    if db.engine.dialect.name != "postgresql":
        return columns, {}
    with db.engine.connect() as conn:
        return columns, dict(conn.execute(text(TRIGGERS)).all())


def test_week_review_delta_up_and_down(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0046")
        columns_up, triggers_up = columns_and_triggers(db)
        downgrade(revision="0045")
        columns_down, triggers_down = columns_and_triggers(db)
        db.engine.dispose()

    assert {"moves", "last_change_id"} <= columns_up and "review" not in columns_up
    assert "review" in columns_down and not {"moves", "last_change_id"} & columns_down
    if triggers_up:
        assert "INSERT" not in triggers_up["tier_change_marks_moves"]
        assert "UPDATE OF arr_cents" in triggers_up["account_marks_moves_arr"]
        assert "INSERT" in triggers_down["tier_change_marks_moves"]
        assert "account_marks_moves_arr" not in triggers_down
