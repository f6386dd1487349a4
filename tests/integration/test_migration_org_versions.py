"""Migration 0022 starts every existing company, user and setting at version 1, and undoes."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

TABLES = ("company", "department", "contact", "custom_attribute", "workspace", "user")


def _seed_at_0020(conn) -> None:
    seed_accounts_and_schemes(conn, (1,), scheme_version=1)
    conn.execute(text(
        "INSERT INTO department (id, external_id, company_id, name, created_at, updated_at) "
        "VALUES (1, 'DE-1', 1, 'Ops', '2026-01-01', '2026-01-01')"
    ))  # fmt: skip
    conn.execute(text(
        "INSERT INTO contact (id, external_id, company_id, name, role, created_at, updated_at) "
        "VALUES (1, 'CT-1', 1, 'Ann', 'champion', '2026-01-01', '2026-01-01')"
    ))  # fmt: skip
    conn.execute(text(
        "INSERT INTO custom_attribute (id, key, label, data_type, category, choices, created_at, "
        "updated_at) VALUES (1, 'nps', 'NPS', 'number', 'behavioural', '[]', '2026-01-01', "
        "'2026-01-01')"
    ))  # fmt: skip
    conn.execute(text(
        "INSERT INTO workspace (id, name, account_unit, timezone, currency, created_at, "
        "updated_at) VALUES (1, 'cstier', 'company', 'UTC', 'USD', '2026-01-01', '2026-01-01')"
    ))  # fmt: skip
    conn.execute(text(
        'INSERT INTO "user" (id, email, name, role, password_hash, active, created_at, '
        "updated_at) VALUES (1, 'a@x.example', 'A', 'admin', 'x', true, '2026-01-01', "
        "'2026-01-01')"
    ))  # fmt: skip


def test_existing_rows_start_at_version_one_and_the_downgrade_drops_it(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0020")
        with db.engine.begin() as conn:
            _seed_at_0020(conn)

        upgrade(revision="0022")
        with db.engine.connect() as conn:
            versions = {
                t: conn.execute(text(f'SELECT version FROM "{t}"')).scalar() for t in TABLES
            }

        downgrade(revision="0020")
        columns = {t: {c["name"] for c in inspect(db.engine).get_columns(t)} for t in TABLES}
        with db.engine.connect() as conn:
            companies_kept = conn.execute(text("SELECT count(*) FROM company")).scalar()
        db.engine.dispose()

    assert versions == dict.fromkeys(TABLES, 1)
    assert not any("version" in names for names in columns.values())
    assert companies_kept == 1
