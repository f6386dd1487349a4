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


def test_rows_that_refer_to_users_survive_0024_both_ways(scratch_url, tmp_path):
    """SQLite rebuilds `user` here; rows pointing at it must neither vanish nor block it."""
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0023")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO \"user\" (id, email, name, role, password_hash, active, "
                "created_at, updated_at) VALUES (1, 'u1@example.com', 'U1', 'csm', 'x', true, "
                "'2026-01-01', '2026-01-01')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO api_token (id, user_id, name, prefix, token_hash, created_at) "
                "VALUES (1, 1, 'ci', 'cst_abc', 'hash-1', '2026-01-01')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO csm_profile (user_id, fte, regions, verticals, languages, "
                "coverage_model_keys, version) VALUES (1, 1.0, '[]', '[]', '[]', '[]', 1)"
            ))  # fmt: skip

        def counts() -> tuple[int, int, int]:
            with db.engine.connect() as conn:
                return tuple(
                    conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                    for table in ("user", "api_token", "csm_profile")
                )

        upgrade(revision="0024")
        after_upgrade = counts()
        downgrade(revision="0023")
        after_downgrade = counts()
        db.engine.dispose()

    assert after_upgrade == after_downgrade == (1, 1, 1)
