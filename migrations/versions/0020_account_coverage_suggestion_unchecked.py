"""account_coverage.suggested_owner_id without a foreign key

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-24

A re-tier that moves owned accounts to another coverage model flags them and stores a
suggested owner in the same update (66k accounts in the benchmark's 1M-account book). On
PostgreSQL the foreign key to "user" checked each of them, a trigger call and a key-share
row lock on one of a few thousand CSM rows: the UPDATE of 67k rows took 0.62-0.79 s with
it and 0.26 s without. The suggester only names CSMs it has just read, and no path
deletes a user (they are deactivated). As with 0019, SQLite rebuilds the table so that
both databases keep the schema of the models.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

NAME = 'fk_account_coverage_suggested_owner_id_user'


def upgrade():
    with op.batch_alter_table('account_coverage') as batch:
        batch.drop_constraint(NAME, type_='foreignkey')


def downgrade():
    with op.batch_alter_table('account_coverage') as batch:
        batch.create_foreign_key(NAME, 'user', ['suggested_owner_id'], ['id'])
