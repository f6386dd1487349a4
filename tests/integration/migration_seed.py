"""Raw rows for migration tests: the schema is an old revision's, so no models or factories."""

from sqlalchemy import text


def seed_accounts_and_schemes(conn, accounts: tuple[int, ...], scheme_version: int) -> None:
    """Insert company 1, the given accounts of it, and schemes 1 (value_tiers) and 2 (needs_tiers)."""
    conn.execute(text(
        "INSERT INTO company (id, external_id, name, created_at, updated_at) "
        "VALUES (1, 'CO-1', 'Acme', '2026-01-01', '2026-01-01')"
    ))  # fmt: skip
    for account in accounts:
        conn.execute(text(
            "INSERT INTO account (id, external_id, name, unit_type, company_id, arr_cents, "
            "lifecycle_stage, attributes, version, created_at, updated_at) VALUES "
            f"({account}, 'AC-{account}', 'A{account}', 'company', 1, 0, 'active', '{{}}', 1, "
            "'2026-01-01', '2026-01-01')"
        ))  # fmt: skip
    for scheme, key in ((1, "value_tiers"), (2, "needs_tiers")):
        conn.execute(text(
            "INSERT INTO tier_scheme (id, key, name, dimension, goal, kpi, active, "
            f"current_version, created_at) VALUES ({scheme}, '{key}', '{key}', 'value', '', '', "
            f"true, {scheme_version}, '2026-01-01')"
        ))  # fmt: skip
