"""tier changes by account and time, for a CSM's tier review

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07

A CSM's tier review reads the week's changes of their few hundred accounts. Without an
index led by the account, PostgreSQL found them by reading every change of the week, which
in a book's first-tiering week is millions of rows; (account_id, at) lets it probe each of
the CSM's accounts for the week.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_tier_change_account_at", "tier_change", ["account_id", "at"])


def downgrade():
    op.drop_index("ix_tier_change_account_at", table_name="tier_change")
