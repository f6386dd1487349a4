"""renewals per tier and renewal day, stored by a run for the manager's dashboard

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-07

The dashboard shows the accounts renewing within 90 days per value tier. Summed live, that
reads a sixth of a big book on every view; a run stores accounts and ARR per tier and renewal
day instead, served while no write marks them ("renewals": an account added, removed, its
ARR or renewal date changed, or a current tier written).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0049'
down_revision = '0048'
branch_labels = None
depends_on = None

MARKED = {
    "account": ("INSERT", "DELETE", "UPDATE OF arr_cents, renewal_date"),
    "current_tier": ("INSERT", "DELETE", "UPDATE"),
}


def upgrade():
    op.create_table(
        "renewal_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=60), nullable=True),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("arr_cents", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["tier_scheme.id"],
            name=op.f("fk_renewal_total_scheme_id_tier_scheme"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_total")),
    )
    op.create_index(
        "ix_renewal_total_scheme_date", "renewal_total", ["scheme_id", "renewal_date"]
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, events in MARKED.items():
        op.execute(
            f"CREATE TRIGGER {table}_marks_renewals AFTER {' OR '.join(events)} "
            f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
            "EXECUTE FUNCTION cstier_mark_book_change('renewals')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in MARKED:
            op.execute(f"DROP TRIGGER {table}_marks_renewals ON {table}")
    op.drop_index("ix_renewal_total_scheme_date", table_name="renewal_total")
    op.drop_table("renewal_total")
