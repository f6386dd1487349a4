"""stored page totals (tiers; owners and coverage models) and marks of the writes that stale them

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07

The tier page (accounts and current ARR per tier), the capacity page and the manager's
dashboard (accounts and ARR per owner and coverage model) summed the whole book on every
request. A run now stores those totals (tier_total, with the UTC day its current ARR is for;
owner_model_total) and the pages serve them while they provably hold.

"Provably": triggers mark every write that can change a kind of totals (book_change_mark,
one kind per row): for tiers, an account inserted or deleted or its ARR field updated, any
subscription or current tier write; for owners, an account inserted or deleted or its ARR
field or owner updated, an account's coverage model written, any churned-account write.
Storing a kind deletes its marks first and then reads the book, in one transaction; a page
serves the totals only while no mark of their kind exists. A write that commits before that
delete is read, one that commits later leaves its mark. PostgreSQL marks once per writing
transaction and kind (a transaction-local setting), so no writer waits on another.

SQLite gets the tables but no triggers: it has row triggers only, and any trigger on
current_tier made a bulk insert of its rows three times slower (docs/benchmarks.md); there
the pages always count live (store/book_marks.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

# Kind of totals → table → the writes that change them.
MARKED = {
    "tiers": {
        "account": ("INSERT", "DELETE", "UPDATE OF arr_cents"),
        "subscription": ("INSERT", "DELETE", "UPDATE"),
        "current_tier": ("INSERT", "DELETE", "UPDATE"),
    },
    "owners": {
        "account": ("INSERT", "DELETE", "UPDATE OF arr_cents, csm_id"),
        "account_coverage": ("INSERT", "DELETE", "UPDATE OF coverage_model_id"),
        "churned_account": ("INSERT", "DELETE", "UPDATE"),
    },
}

PG_MARK_FUNCTION = """
CREATE FUNCTION cstier_mark_book_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('cstier.marked_' || TG_ARGV[0], true) IS DISTINCT FROM 'yes' THEN
        INSERT INTO book_change_mark (totals) VALUES (TG_ARGV[0]);
        PERFORM set_config('cstier.marked_' || TG_ARGV[0], 'yes', true);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        "book_change_mark",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("totals", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_change_mark")),
    )
    # A page looks for a mark of its kind: without it, many marks of the other kind are read.
    op.create_index(op.f("ix_book_change_mark_totals"), "book_change_mark", ["totals"])
    op.create_table(
        "tier_total",
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=60), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("arr_cents", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["tier_scheme.id"],
            name=op.f("fk_tier_total_scheme_id_tier_scheme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scheme_id", "tier", name=op.f("pk_tier_total")),
    )
    op.create_table(
        "owner_model_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("csm_id", sa.Integer(), nullable=True),
        sa.Column("coverage_model_id", sa.Integer(), nullable=True),
        sa.Column("churned", sa.Boolean(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("arr_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_model_total")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_MARK_FUNCTION)
    for kind, tables in MARKED.items():
        for table, events in tables.items():
            op.execute(
                f"CREATE TRIGGER {table}_marks_{kind} AFTER {' OR '.join(events)} "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION cstier_mark_book_change('{kind}')"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for kind, tables in MARKED.items():
            for table in tables:
                op.execute(f"DROP TRIGGER {table}_marks_{kind} ON {table}")
        op.execute("DROP FUNCTION cstier_mark_book_change()")
    op.drop_table("owner_model_total")
    op.drop_table("tier_total")
    op.drop_table("book_change_mark")
