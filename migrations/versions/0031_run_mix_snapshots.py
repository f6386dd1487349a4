"""tier_mix_snapshot and coverage_mix_snapshot: what the book looked like after each run

Revision ID: 0031
Revises: 0024
Create Date: 2026-12-07

The dashboards and the trends page draw the tier mix, ARR by tier, the moves up and down
into each tier and the headcount per coverage model over the last weeks. Reading them from the packed current tiers or the
history on every request would read the whole book; a run writes a few rows per scheme and
model instead (services/trends.py), and `cstier tiers backfill-mix` fills them in for the
runs made before this migration.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tier_mix_snapshot',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=60), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('arr_cents', sa.BigInteger(), nullable=False),
    sa.Column('up', sa.Integer(), nullable=False),
    sa.Column('down', sa.Integer(), nullable=False),
    sa.Column('arr_up_cents', sa.BigInteger(), nullable=False),
    sa.Column('arr_down_cents', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['tiering_run.id'], name=op.f('fk_tier_mix_snapshot_run_id_tiering_run')),
    sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name=op.f('fk_tier_mix_snapshot_scheme_id_tier_scheme')),
    sa.PrimaryKeyConstraint('run_id', 'scheme_id', 'tier', name=op.f('pk_tier_mix_snapshot'))
    )
    with op.batch_alter_table('tier_mix_snapshot') as batch:
        batch.create_index(batch.f('ix_tier_mix_snapshot_at'), ['at'], unique=False)
    op.create_table('coverage_mix_snapshot',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('coverage_model_id', sa.Integer(), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('arr_cents', sa.BigInteger(), nullable=False),
    sa.Column('required_csms', sa.Integer(), nullable=False),
    sa.Column('current_fte', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['tiering_run.id'], name=op.f('fk_coverage_mix_snapshot_run_id_tiering_run')),
    sa.ForeignKeyConstraint(['coverage_model_id'], ['coverage_model.id'], name=op.f('fk_coverage_mix_snapshot_coverage_model_id_coverage_model')),
    sa.PrimaryKeyConstraint('run_id', 'coverage_model_id', name=op.f('pk_coverage_mix_snapshot'))
    )
    with op.batch_alter_table('coverage_mix_snapshot') as batch:
        batch.create_index(batch.f('ix_coverage_mix_snapshot_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('coverage_mix_snapshot') as batch:
        batch.drop_index(batch.f('ix_coverage_mix_snapshot_at'))
    op.drop_table('coverage_mix_snapshot')
    with op.batch_alter_table('tier_mix_snapshot') as batch:
        batch.drop_index(batch.f('ix_tier_mix_snapshot_at'))
    op.drop_table('tier_mix_snapshot')
