"""version columns on the coverage and override resources, and one row for the matrix

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

Two edits of one coverage model, pool, CSM profile, handoff or override saved at once both
succeeded: the last one silently undid the other. A version column lets every UPDATE test
the version its editor read. The coverage matrix is a set of cells edited as one, so it
gets a single row whose version every save of its cells bumps.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLES = ('coverage_model', 'pool', 'csm_profile', 'handoff', 'tier_override')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )
    op.create_table(
        'coverage_matrix',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('coverage_matrix')
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version')
