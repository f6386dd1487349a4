"""open handoffs by due date, and live overrides by expiry, for the Monday lists

Revision ID: 0048
Revises: 0046
Create Date: 2026-12-07

The handoffs list pages through the open ones by due date: every reassignment leaves a done
handoff behind, so without a partial index each page sorts a year of them. The overrides list
of those expiring within 7 days walks the unrevoked overrides by expiry.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0048'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_handoff_open_due", "handoff", ["due_date", "id"],
        postgresql_where=sa.text("done_at IS NULL"),
        sqlite_where=sa.text("done_at IS NULL"),
    )
    op.create_index(
        "ix_tier_override_unrevoked_expiry", "tier_override", ["expires_at", "id"],
        postgresql_where=sa.text("revoked_at IS NULL"),
        sqlite_where=sa.text("revoked_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_tier_override_unrevoked_expiry", table_name="tier_override")
    op.drop_index("ix_handoff_open_due", table_name="handoff")
