"""Migration 0027 adds the alert tables, starts alerting fresh, and downgrades cleanly."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app

TABLES = {"alert_rule", "alert_subscription", "notification", "webhook_endpoint", "delivery"}


def test_past_events_are_not_dispatched_and_the_downgrade_drops_the_tables(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0024")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO outbox_event (topic, payload, created_at) "
                "VALUES ('tiers.changed', '{\"run_id\": 1}', '2026-01-01 00:00:00')"
            ))  # fmt: skip
        upgrade(revision="0027")
        with db.engine.connect() as conn:
            pending = conn.execute(
                text("SELECT count(*) FROM outbox_event WHERE dispatched_at IS NULL")
            ).scalar()
        tables_up = set(inspect(db.engine).get_table_names())
        downgrade(revision="0024")
        tables_down = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert pending == 0
    assert tables_up >= TABLES and not TABLES & tables_down
