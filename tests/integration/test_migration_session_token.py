"""Migration 0024 gives every existing user their own session token and adds the login counters."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app


def test_existing_users_get_distinct_tokens_and_the_downgrade_removes_them(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0020")
        with db.engine.begin() as conn:
            for n in (1, 2):
                conn.execute(text(
                    "INSERT INTO \"user\" (id, email, name, role, password_hash, active, "
                    f"created_at, updated_at) VALUES ({n}, 'u{n}@example.com', 'U{n}', 'csm', "
                    "'x', true, '2026-01-01', '2026-01-01')"
                ))  # fmt: skip
        upgrade(revision="0024")
        with db.engine.connect() as conn:
            tokens = conn.execute(text('SELECT session_token FROM "user" ORDER BY id')).scalars()
            tokens = list(tokens)
        tables_after = set(inspect(db.engine).get_table_names())
        downgrade(revision="0020")
        columns = {c["name"] for c in inspect(db.engine).get_columns("user")}
        tables_down = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert len(set(tokens)) == 2 and all(len(token) >= 40 for token in tokens)
    assert "login_failure_count" in tables_after
    assert "session_token" not in columns and "login_failure_count" not in tables_down
