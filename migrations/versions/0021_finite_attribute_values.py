"""Empty the non-finite numbers already stored in custom attributes, schemes and usage figures

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

Forms once took NaN, Infinity and 1e400 as number attributes. On SQLite the JSON text then
holds NaN or Infinity tokens, which SQLite's JSON functions call malformed, so every tiering
run failed; PostgreSQL's JSONB never stored them. Each such attribute is removed from its
account, as the form does with a value cleared. The scheme JSON editor took them too, in
places the engine ignores; a run now refuses a definition holding one, so they become null.
A usage figure of NaN or infinity (a float column can hold one on both engines) has no
meaning either, so its row goes. The migration says how many of each it changed. Nothing
can be put back: the downgrade does nothing.
"""
import json
import math

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

BATCH = 1000


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(map(_finite, value.values()))
    if isinstance(value, list):
        return all(map(_finite, value))
    return True


def _nulled(value):
    """Return value with non-finite floats as None, and how many there were."""
    if isinstance(value, float) and not math.isfinite(value):
        return None, 1
    if isinstance(value, dict | list):
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        results = {key: _nulled(item) for key, item in pairs}
        count = sum(n for _, n in results.values())
        if isinstance(value, dict):
            return {key: item for key, (item, _) in results.items()}, count
        return [item for item, _ in results.values()], count
    return value, 0


def _candidates(conn, table: str, column: str) -> list[tuple[int, object]]:
    # Python writes NaN and Infinity as bare tokens; text values can hold the words too,
    # so each candidate is parsed before it is changed.
    return [
        (row_id, json.loads(text))
        for row_id, text in conn.execute(sa.text(
            f"SELECT id, {column} FROM {table} "
            f"WHERE {column} LIKE '%NaN%' OR {column} LIKE '%Infinity%'"
        ))  # fmt: skip
        if text
    ]


def _update(conn, table: str, column: str, updates: list[dict]) -> None:
    for start in range(0, len(updates), BATCH):
        conn.execute(
            sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
            updates[start : start + BATCH],
        )


def _empty_attributes(conn) -> int:
    """Remove non-finite attribute values from SQLite's JSON text; return how many."""
    changed, updates = 0, []
    for account_id, attributes in _candidates(conn, "account", "attributes"):
        if not isinstance(attributes, dict):
            continue
        kept = {key: value for key, value in attributes.items() if _finite(value)}
        if len(kept) < len(attributes):
            changed += len(attributes) - len(kept)
            updates.append({"id": account_id, "value": json.dumps(kept)})
    _update(conn, "account", "attributes", updates)
    return changed


def _null_scheme_numbers(conn) -> int:
    """Turn non-finite numbers in SQLite's scheme definitions into null; return how many."""
    changed, updates = 0, []
    for version_id, definition in _candidates(conn, "tier_scheme_version", "definition"):
        cleaned, count = _nulled(definition)
        if count:
            changed += count
            updates.append({"id": version_id, "value": json.dumps(cleaned)})
    _update(conn, "tier_scheme_version", "definition", updates)
    return changed


def _delete_non_finite_usage(conn) -> int:
    """Delete usage figures that are NaN or infinite; return how many."""
    if conn.dialect.name == "postgresql":
        # PostgreSQL's NaN equals itself, unlike IEEE's.
        where = "value IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)"
    else:
        # SQLite stores NaN as NULL, which the NOT NULL column refused; infinities it keeps.
        where = "value IN (9e999, -9e999)"
    return conn.execute(sa.text(f"DELETE FROM usage_metric WHERE {where}")).rowcount


def upgrade():
    conn = op.get_bind()
    attributes = schemes = 0
    if conn.dialect.name == "sqlite":  # JSONB refuses NaN and Infinity outright
        attributes = _empty_attributes(conn)
        schemes = _null_scheme_numbers(conn)
    usage = _delete_non_finite_usage(conn)
    print(
        f"0021: emptied {attributes} non-finite custom attribute values, "
        f"nulled {schemes} non-finite numbers in tier scheme definitions "
        f"and deleted {usage} non-finite usage figures"
    )


def downgrade():
    pass
