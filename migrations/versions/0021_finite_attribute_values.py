"""Empty the non-finite numbers already stored in custom attributes and usage figures

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

Forms once took NaN, Infinity and 1e400 as number attributes. On SQLite the JSON text then
holds NaN or Infinity tokens, which SQLite's JSON functions call malformed, so every tiering
run failed; PostgreSQL's JSONB never stored them. Each such attribute is removed from its
account, as the form does with a value cleared. A usage figure of NaN or infinity (a float
column can hold one on both engines) has no meaning either, so its row goes. The migration
says how many of each it changed. Nothing can be put back: the downgrade does nothing.
"""
import json
import math
import re

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The JSON tokens Python writes for non-finite floats; text values can hold the words too,
# so a candidate row is parsed before it is changed.
TOKENS = re.compile(r"NaN|Infinity")
BATCH = 1000


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(map(_finite, value.values()))
    if isinstance(value, list):
        return all(map(_finite, value))
    return True


def _empty_attributes(conn) -> int:
    """Remove non-finite attribute values from SQLite's JSON text; return how many."""
    rows = conn.execute(sa.text(
        "SELECT id, attributes FROM account "
        "WHERE attributes LIKE '%NaN%' OR attributes LIKE '%Infinity%'"
    )).all()  # fmt: skip
    changed, updates = 0, []
    for account_id, text in rows:
        attributes = json.loads(text) if text and TOKENS.search(text) else None
        if not isinstance(attributes, dict):
            continue
        kept = {key: value for key, value in attributes.items() if _finite(value)}
        if len(kept) < len(attributes):
            changed += len(attributes) - len(kept)
            updates.append({"id": account_id, "attributes": json.dumps(kept)})
    for start in range(0, len(updates), BATCH):
        conn.execute(
            sa.text("UPDATE account SET attributes = :attributes WHERE id = :id"),
            updates[start : start + BATCH],
        )
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
    # JSONB refuses NaN and Infinity, so only SQLite's JSON text can hold them.
    attributes = _empty_attributes(conn) if conn.dialect.name == "sqlite" else 0
    usage = _delete_non_finite_usage(conn)
    print(
        f"0021: emptied {attributes} non-finite custom attribute values "
        f"and deleted {usage} non-finite usage figures"
    )


def downgrade():
    pass
