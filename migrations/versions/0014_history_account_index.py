"""History tables indexed by account alone, not by account and time

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23

A re-tier inserts a history row per changed tier, and the rows' accounts are spread over
the whole book, so every insert lands on a different page of the account index. On
SQLite the time was most of each entry (a 26-character text), so an index on account_id
alone has a third of the pages to dirty: inserting 253k rows next to 5.5M went from
3.0-3.4 s to 1.9 s. The readers lose nothing: an account's timeline is a few dozen rows,
fetched by account and sorted by time after.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('tier_change', 'coverage_change')


def upgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_account_at', table_name=table)
        op.create_index(f'ix_{table}_account_id', table, ['account_id'], unique=False)


def downgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_account_id', table_name=table)
        op.create_index(f'ix_{table}_account_at', table, ['account_id', 'at'], unique=False)
