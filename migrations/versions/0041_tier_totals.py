"""tier totals stored per run, and marks of book writes that make them stale

Revision ID: 0041
Revises: 0039
Create Date: 2026-12-07

The tier page shows accounts and current ARR per tier of each scheme. Counted live, it reads
the whole book; a run now stores the totals (tier_total, with the UTC day their current ARR
is for) and the page serves them while they provably hold.

"Provably": a trigger marks every write that can change a tier total (book_change_mark): an
account inserted or deleted or its ARR field updated, any subscription write, any current
tier write. Storing the totals deletes the marks first and then reads the book, in one
transaction; the page serves the totals only when no mark exists and the day is today.
A write that commits before that delete is in the totals (it is read after), one that
commits later leaves its mark. PostgreSQL marks once per writing transaction (a
transaction-local setting), so no writer waits on another; SQLite marks one fixed row, as
its writers take turns anyway.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0041"
down_revision = "0039"
branch_labels = None
depends_on = None

# Table → the writes that change a tier total.
MARKED = {
    "account": ("INSERT", "DELETE", "UPDATE OF arr_cents"),
    "subscription": ("INSERT", "DELETE", "UPDATE"),
    "current_tier": ("INSERT", "DELETE", "UPDATE"),
}

PG_MARK_FUNCTION = """
CREATE FUNCTION cstier_mark_book_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('cstier.book_marked', true) IS DISTINCT FROM 'yes' THEN
        INSERT INTO book_change_mark DEFAULT VALUES;
        PERFORM set_config('cstier.book_marked', 'yes', true);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        "book_change_mark",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_change_mark")),
    )
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_MARK_FUNCTION)
        for table, events in MARKED.items():
            op.execute(
                f"CREATE TRIGGER {table}_marks_book_change AFTER {' OR '.join(events)} "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION cstier_mark_book_change()"
            )
    else:
        for table, events in MARKED.items():
            for event in events:
                name = event.split()[0].lower()
                op.execute(
                    f"CREATE TRIGGER {table}_{name}_marks_book_change AFTER {event} ON {table} "
                    "BEGIN INSERT OR IGNORE INTO book_change_mark (id) VALUES (1); END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in MARKED:
            op.execute(f"DROP TRIGGER {table}_marks_book_change ON {table}")
        op.execute("DROP FUNCTION cstier_mark_book_change()")
    else:
        for table, events in MARKED.items():
            for event in events:
                op.execute(f"DROP TRIGGER {table}_{event.split()[0].lower()}_marks_book_change")
    op.drop_table("tier_total")
    op.drop_table("book_change_mark")
