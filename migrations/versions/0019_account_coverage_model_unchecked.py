"""account_coverage.coverage_model_id without a foreign key

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24

A re-tier changes the coverage model of the accounts whose value or needs tier moved
(82k of 1M in the benchmark). On PostgreSQL the foreign key checked each changed row
against coverage_model, a trigger call and a row lock per row: the UPDATE statement of
83k rows took 0.88 s with it and 0.47 s without (the run's coverage write 0.94 -> 0.52 s). derive_coverage is the only writer of the column and takes
its ids from coverage_matrix_cell, whose foreign key stays; no path deletes a coverage
model. SQLite's in-process check costs little, but the key goes there too, so that both
databases keep the schema of the models. (SQLite rebuilds the table: 1M rows, a few
seconds.)
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

NAME = 'fk_account_coverage_coverage_model_id_coverage_model'


def upgrade():
    with op.batch_alter_table('account_coverage') as batch:
        batch.drop_constraint(NAME, type_='foreignkey')


def downgrade():
    with op.batch_alter_table('account_coverage') as batch:
        batch.create_foreign_key(NAME, 'coverage_model', ['coverage_model_id'], ['id'])
