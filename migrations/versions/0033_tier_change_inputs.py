"""tier_change.inputs: the input values that decided a move

Revision ID: 0033
Revises: 0024
Create Date: 2026-12-07

A run now keeps, with each move it writes, the scheme's input values for that account (a JSON
object as text), so a timeline can say which field changed and from what to what. Moves
written before this migration have none and say only that the account moved.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tier_change') as batch:
        batch.add_column(sa.Column('inputs', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('tier_change') as batch:
        batch.drop_column('inputs')
