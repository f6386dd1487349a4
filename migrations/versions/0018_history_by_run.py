"""History tables indexed by run and account, not by account alone

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24

A re-tier inserts a history row per changed tier, and an index on account_id puts each
row's entry on a different page of an index as large as the history: at 1M accounts,
253k moves next to 5.3M rows, that index was 0.4-0.5 s of a 6 s run on both databases,
growing with the history. Indexed by (run_id, account_id) instead, a run's rows, written
in account order, all go to the index's right edge. An account's timeline probes that
index once per run (services/tiering/history.py); rows written outside a run have no
run_id and are found the same way, since both databases look up IS NULL in an index.
The run_id index of tier_change is the prefix of the new one and goes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('tier_change', 'coverage_change')


def upgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_account_id', table_name=table)
        op.create_index(f'ix_{table}_run_account', table, ['run_id', 'account_id'], unique=False)
    op.drop_index('ix_tier_change_run_id', table_name='tier_change')


def downgrade():
    op.create_index('ix_tier_change_run_id', 'tier_change', ['run_id'], unique=False)
    for table in TABLES:
        op.drop_index(f'ix_{table}_run_account', table_name=table)
        op.create_index(f'ix_{table}_account_id', table, ['account_id'], unique=False)
