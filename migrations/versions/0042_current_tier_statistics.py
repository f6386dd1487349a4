"""statistics of which tiers belong to which scheme, so PostgreSQL sizes a tier filter right

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07

A tier name belongs to one scheme, so `scheme_id = s AND tier = t` selects the tier's whole
size, where PostgreSQL, taking the two columns as independent, estimated a fifth of it and
planned the account lists' tier filters for far fewer matches than they have. The extended
statistics (most common (scheme, tier) pairs) fix that estimate. SQLite has no equivalent.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS current_tier_scheme_tier (mcv, dependencies) "
            "ON scheme_id, tier FROM current_tier"
        )
        op.execute("ANALYZE current_tier")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS current_tier_scheme_tier")
