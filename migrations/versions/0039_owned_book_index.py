"""index of the owned accounts with their ARR, for per-CSM loads

Revision ID: 0039
Revises: 0036
Create Date: 2026-12-07

Capacity and the manager's dashboard sum accounts and ARR per owning CSM and coverage model.
A partial index on csm_id of the owned accounts, holding id and ARR (INCLUDE, PostgreSQL),
lets those sums read the index only instead of the owned rows scattered over the table.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_account_owned_book", "account", ["csm_id"],
        postgresql_include=["id", "arr_cents"],
        postgresql_where=sa.text("csm_id IS NOT NULL"),
        sqlite_where=sa.text("csm_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_account_owned_book", table_name="account")
