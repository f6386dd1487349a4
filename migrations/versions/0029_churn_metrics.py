"""end dates are the first day a subscription no longer runs; stored churn metrics

Revision ID: 0029
Revises: 0024
Create Date: 2026-12-07

A subscription is now active on day d when start_date <= d and (end_date is empty or
end_date > d): the end date is the first day it no longer runs. Before, the end day itself
counted as running, so every stored end date moves one day later and keeps its meaning;
the downgrade moves them back.

metric_result holds the retention figures of the standard monthly periods per segment,
churned_account the accounts churned today (left out of coverage and capacity), and
segment_headline the metric each segment reads first.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0030"
branch_labels = None
depends_on = None


def _shift_end_dates(days: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"UPDATE subscription SET end_date = end_date + {days} WHERE end_date IS NOT NULL"
        )
    else:
        op.execute(
            f"UPDATE subscription SET end_date = date(end_date, '{days:+d} day') "
            "WHERE end_date IS NOT NULL"
        )


def upgrade():
    _shift_end_dates(1)
    op.create_table(
        "metric_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("split", sa.String(length=80), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("accounts_start", sa.Integer(), nullable=False),
        sa.Column("accounts_churned", sa.Integer(), nullable=False),
        sa.Column("accounts_new", sa.Integer(), nullable=False),
        sa.Column("accounts_reactivated", sa.Integer(), nullable=False),
        sa.Column("accounts_passing", sa.Integer(), nullable=False),
        sa.Column("mrr_start_cents", sa.BigInteger(), nullable=False),
        sa.Column("mrr_end_cents", sa.BigInteger(), nullable=False),
        sa.Column("churned_cents", sa.BigInteger(), nullable=False),
        sa.Column("contraction_cents", sa.BigInteger(), nullable=False),
        sa.Column("expansion_cents", sa.BigInteger(), nullable=False),
        sa.Column("new_cents", sa.BigInteger(), nullable=False),
        sa.Column("reactivation_cents", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_result")),
        sa.UniqueConstraint(
            "split", "period_start", "period_end", "segment", name=op.f("uq_metric_result_split")
        ),
    )
    op.create_table(
        "churned_account",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_churned_account_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_churned_account")),
    )
    op.create_table(
        "segment_headline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("split", sa.String(length=80), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_headline")),
        sa.UniqueConstraint("split", "segment", name=op.f("uq_segment_headline_split")),
    )


def downgrade():
    op.drop_table("segment_headline")
    op.drop_table("churned_account")
    op.drop_table("metric_result")
    _shift_end_dates(-1)
