"""trigram indexes for searching accounts; the alerts list's moves by time

Revision ID: 0036
Revises: 0037
Create Date: 2026-12-07

The account list's search matches `lower(name) LIKE '%text%'` (and the external id); a
B-tree cannot answer a match in the middle of a value, so at a million accounts every
search read the whole table. On PostgreSQL, pg_trgm's GIN indexes on the lowered values
answer it (pg_trgm is a trusted extension: a database owner may create it). SQLite has no
such index; its search scans, as before.

The alerts list shows moves (a change from a tier), newest first: a partial index on
(at, id) of the moves reads a page from its end instead of sorting every move.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0037'
branch_labels = None
depends_on = None

COLUMNS = ("name", "external_id")


def upgrade():
    op.create_index(
        "ix_tier_change_moves_at", "tier_change", ["at", "id"],
        postgresql_where=sa.text("from_tier IS NOT NULL"),
        sqlite_where=sa.text("from_tier IS NOT NULL"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX ix_account_{column}_trgm ON account "
            f"USING gin (lower({column}) gin_trgm_ops)"
        )


def downgrade():
    op.drop_index("ix_tier_change_moves_at", table_name="tier_change")
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_account_{column}_trgm")
