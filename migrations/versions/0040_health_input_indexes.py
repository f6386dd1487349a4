"""health inputs read from covering indexes: last touch per account and kind, usage per metric

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07

The daily health pass groups each account's touches (last touch, last of the cadence's kind)
and finds each account's latest usage figures per metric. Touches by (account, day, kind) and
usage by (metric, account, period, value) let both read one index in order, without visiting
the rows. Each replaces an index that was its prefix.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_touch_account_occurred_on_kind", "touch", ["account_id", "occurred_on", "kind"]
    )
    op.drop_index("ix_touch_account_occurred_on", table_name="touch")
    op.create_index(
        "ix_usage_metric_metric_account",
        "usage_metric",
        ["metric", "account_id", "period_start", "value"],
    )
    op.drop_index("ix_usage_metric_metric", table_name="usage_metric")


def downgrade():
    op.create_index("ix_usage_metric_metric", "usage_metric", ["metric"])
    op.drop_index("ix_usage_metric_metric_account", table_name="usage_metric")
    op.create_index("ix_touch_account_occurred_on", "touch", ["account_id", "occurred_on"])
    op.drop_index("ix_touch_account_occurred_on_kind", table_name="touch")
