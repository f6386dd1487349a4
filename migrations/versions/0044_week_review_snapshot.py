"""the whole book's tier review of the week in progress, stored by a run while no move is written

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07

The tier review of a week that has not ended has no weekly report yet, and computing it for
the whole book reads every move of the week (a re-tier that moves a quarter of a million
accounts takes seconds). A run now stores that review (week_review_snapshot) and the page
serves it while it holds: triggers mark every write of tier_change, and of accounts deleted,
as "moves" (book_change_mark, as migration 0041's totals), and storing clears the marks first.
SQLite gets the table but no triggers; there the review is always computed.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

MARKED = {"tier_change": ("INSERT", "DELETE", "UPDATE"), "account": ("DELETE",)}


def upgrade():
    op.create_table(
        "week_review_snapshot",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "review",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("week", name=op.f("pk_week_review_snapshot")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, events in MARKED.items():
        op.execute(
            f"CREATE TRIGGER {table}_marks_moves AFTER {' OR '.join(events)} "
            f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
            "EXECUTE FUNCTION cstier_mark_book_change('moves')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in MARKED:
            op.execute(f"DROP TRIGGER {table}_marks_moves ON {table}")
    op.drop_table("week_review_snapshot")
