"""account_tier without its account_id index; tiers are found by the primary key

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23

A re-tier updates its changed tiers with one UPDATE ... FROM on PostgreSQL, and with an
index on account_id the planner looked each row up through it and filtered the scheme
(five index entries per account) instead of using the (scheme_id, account_id) key: 250k
updates took 2.4-2.6 s, against 1.3-2.0 s through the key. The account page finds an
account's tiers by key too, one lookup per scheme (services/tiering/history.py). Nothing
deletes accounts, so the cascade from account needs no index either.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_account_tier_account_id', table_name='account_tier')


def downgrade():
    op.create_index('ix_account_tier_account_id', 'account_tier', ['account_id'], unique=False)
