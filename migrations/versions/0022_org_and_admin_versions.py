"""version columns on companies, departments, contacts, custom attributes, workspace and users

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

Two saves of one row made from the same read both succeeded: the If-Match check compared
an updated_at token before the UPDATE, so the second writer overwrote the first. A version
column lets the UPDATE itself test the version read (SQLAlchemy's version_id_col), as
accounts do. Existing rows start at version 1.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLES = ('company', 'department', 'contact', 'custom_attribute', 'workspace', 'user')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )


def downgrade():
    # SQLite drops the column in place (3.35+): rebuilding tables other rows point at would
    # trip the foreign keys the app turns on.
    for table in reversed(TABLES):
        with op.batch_alter_table(table, recreate='never') as batch:
            batch.drop_column('version')
