"""account_coverage: no index on coverage_model_id, free space for in-place updates

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23

A re-tier re-derives every account's coverage model and changes it for the accounts
whose value or needs tier moved, spread over the whole table. The index on the model
(three or four values over the whole book, so no query was selective enough to use it)
made each change a delete and an insert in it: on SQLite half of the update's time
(80k changes: 0.49 s -> 0.25 s), and on PostgreSQL it kept every change from being a
heap-only (HOT) update. Lists filtered by model scan and join, as they did in practice.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_account_coverage_model', table_name='account_coverage')
    if op.get_bind().dialect.name == 'postgresql':
        # Applies to pages written from now on; autovacuum frees room in the old ones.
        op.execute('ALTER TABLE account_coverage SET (fillfactor = 85)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE account_coverage RESET (fillfactor)')
    op.create_index('ix_account_coverage_model', 'account_coverage', ['coverage_model_id'], unique=False)
