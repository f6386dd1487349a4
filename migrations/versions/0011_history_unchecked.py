"""History tables without foreign keys

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23

tier_change and coverage_change are append-only logs that a re-tier writes in bulk:
hundreds of thousands of rows whose account, scheme, model and run ids it has just read in
the same transaction. On PostgreSQL each declared key is a locking lookup per row, and
they were three quarters of the time of inserting a run's history (13.9 s of which 10.8 s
for 253k rows at 1M accounts). The application never deletes accounts, schemes, coverage
models or runs, so the keys guarded nothing it does; their indexes stay. SQLite cannot
drop a constraint in place, so batch mode rebuilds the two tables there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KEYS = {
    'tier_change': [
        ('fk_tier_change_account_id_account', 'account', 'account_id', 'CASCADE'),
        ('fk_tier_change_run_id_tiering_run', 'tiering_run', 'run_id', None),
        ('fk_tier_change_scheme_id_tier_scheme', 'tier_scheme', 'scheme_id', None),
    ],
    'coverage_change': [
        ('fk_coverage_change_account_id_account', 'account', 'account_id', 'CASCADE'),
        ('fk_coverage_change_from_model_id_coverage_model', 'coverage_model', 'from_model_id', None),
        ('fk_coverage_change_run_id_tiering_run', 'tiering_run', 'run_id', None),
        ('fk_coverage_change_to_model_id_coverage_model', 'coverage_model', 'to_model_id', None),
    ],
}


def upgrade():
    for table, keys in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _, _, _ in keys:
                batch_op.drop_constraint(name, type_='foreignkey')


def downgrade():
    for table, keys in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, parent, column, ondelete in keys:
                batch_op.create_foreign_key(name, parent, [column], ['id'], ondelete=ondelete)
