"""Migration 0030 adds the onboarding, engagement and health tables, and its downgrade removes them."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app

TABLES = {
    "onboarding_plan", "account_onboarding", "touch", "touch_cadence", "scorecard",
    "health_scoring", "health_score", "health_override",
}  # fmt: skip


def test_upgrade_and_downgrade(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0030")
        tables_up = set(inspect(db.engine).get_table_names())
        milestone_up = {c["name"] for c in inspect(db.engine).get_columns("onboarding_milestone")}
        downgrade(revision="0024")
        tables_down = set(inspect(db.engine).get_table_names())
        milestone_down = {c["name"] for c in inspect(db.engine).get_columns("onboarding_milestone")}
        upgrade(revision="0030")
        db.engine.dispose()
    assert tables_up >= TABLES and "plan_milestone" in milestone_up
    assert not TABLES & tables_down and "plan_milestone" not in milestone_down
