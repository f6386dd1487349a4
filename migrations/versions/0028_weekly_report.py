"""weekly_report, weekly_report_subscription and weekly_report_delivery

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-07

The weekly tier review becomes a stored snapshot per ISO week (content as JSON with a
schema version, a few headline figures as columns); managers subscribe to it by email,
and each (report, user) delivery is recorded once so a repeated send sends nothing twice.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0025"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "weekly_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("content", JSON_TYPE, nullable=False),
        sa.Column("accounts_up", sa.Integer(), nullable=False),
        sa.Column("accounts_down", sa.Integer(), nullable=False),
        sa.Column("needs_owner", sa.Integer(), nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=False),
        sa.Column("hidden_gems", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_report")),
        sa.UniqueConstraint("week", name=op.f("uq_weekly_report_week")),
    )
    op.create_table(
        "weekly_report_subscription",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_weekly_report_subscription_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_weekly_report_subscription")),
    )
    op.create_table(
        "weekly_report_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["weekly_report.id"],
            name=op.f("fk_weekly_report_delivery_report_id_weekly_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_weekly_report_delivery_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_report_delivery")),
        sa.UniqueConstraint(
            "report_id", "user_id", name=op.f("uq_weekly_report_delivery_report_id")
        ),
    )
    with op.batch_alter_table("weekly_report_delivery") as batch:
        batch.create_index(batch.f("ix_weekly_report_delivery_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("weekly_report_delivery") as batch:
        batch.drop_index(batch.f("ix_weekly_report_delivery_user_id"))
    op.drop_table("weekly_report_delivery")
    op.drop_table("weekly_report_subscription")
    op.drop_table("weekly_report")
