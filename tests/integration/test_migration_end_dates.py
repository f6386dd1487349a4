"""Migration 0029 moves stored end dates one day later, so they keep their meaning, and back."""

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes


def _end_dates(conn) -> list:
    rows = conn.execute(text("SELECT end_date FROM subscription ORDER BY id")).scalars()
    return [date.fromisoformat(str(value)) if value is not None else None for value in rows]


def test_end_dates_move_one_day_later_and_back(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0024")
        with db.engine.begin() as conn:
            seed_accounts_and_schemes(conn, (1,), 1)
            for number, end in ((1, "'2026-01-31'"), (2, "NULL"), (3, "'2025-12-31'")):
                conn.execute(text(
                    "INSERT INTO subscription (id, external_id, account_id, product, start_date, "
                    "end_date, mrr_cents, quantity, created_at, updated_at) VALUES "
                    f"({number}, 'S-{number}', 1, 'Core', '2025-01-01', {end}, 100, 1, "
                    "'2026-01-01', '2026-01-01')"
                ))  # fmt: skip
        upgrade(revision="0029")
        with db.engine.connect() as conn:
            after = _end_dates(conn)
        tables_after = set(inspect(db.engine).get_table_names())
        downgrade(revision="0024")
        with db.engine.connect() as conn:
            back = _end_dates(conn)
        tables_down = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert after == [date(2026, 2, 1), None, date(2026, 1, 1)]
    assert back == [date(2026, 1, 31), None, date(2025, 12, 31)]
    assert {"metric_result", "churned_account", "segment_headline"} <= tables_after
    assert not {"metric_result", "churned_account", "segment_headline"} & tables_down
