"""the stored week review keeps its net moves and the last tier change it read, so a page adds what came after

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07

Migration 0044 stored the whole book's review of the recent weeks and dropped it at the first
tier change written after. Now the stored row holds the week's net moves (the pairs, each
scheme's 200 biggest movers, the counts: `moves`) and the id of the last tier change it read
(`last_change_id`; every smaller id had committed, store/week_moves.py). A page adds the
accounts whose tier changed after that id, found by id, so an inserted tier change marks
nothing any more. What cannot be added that way still marks "moves": a tier change updated or
deleted, an account deleted; and an account's ARR updated marks "moves_arr" (the stored ARR
of a changed account is then unknown). The stored rows are caches: they are emptied here and
the next run stores them again. SQLite has no triggers; there the review is always computed.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _mark(name: str, table: str, events: str, kind: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION cstier_mark_book_change('{kind}')"
    )


def upgrade():
    op.execute("DELETE FROM week_review_snapshot")
    with op.batch_alter_table("week_review_snapshot") as batch:
        batch.drop_column("review")
        batch.add_column(sa.Column("moves", _json(), nullable=False))
        batch.add_column(sa.Column("last_change_id", sa.Integer(), nullable=False))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER tier_change_marks_moves ON tier_change")
    op.execute(
        _mark("tier_change_marks_moves", "tier_change", "DELETE OR UPDATE OR TRUNCATE", "moves")
    )
    op.execute(_mark("account_marks_moves_arr", "account", "UPDATE OF arr_cents", "moves_arr"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER account_marks_moves_arr ON account")
        op.execute("DROP TRIGGER tier_change_marks_moves ON tier_change")
        op.execute(
            _mark(
                "tier_change_marks_moves",
                "tier_change",
                "INSERT OR DELETE OR UPDATE OR TRUNCATE",
                "moves",
            )
        )
    op.execute("DELETE FROM week_review_snapshot")
    with op.batch_alter_table("week_review_snapshot") as batch:
        batch.drop_column("last_change_id")
        batch.drop_column("moves")
        batch.add_column(sa.Column("review", _json(), nullable=False))
