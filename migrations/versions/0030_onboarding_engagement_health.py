"""onboarding plans, account onboardings, touches and cadences, scorecards, health scores and overrides

Revision ID: 0030
Revises: 0024
Create Date: 2026-12-07

onboarding_milestone.plan_milestone names the plan milestone an imported row completes.
health_score has no foreign keys: scoring writes the whole book in bulk, like tier_change;
its measures are packed float32 values laid out by the day's health_scoring row.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0027'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    with op.batch_alter_table('onboarding_milestone') as batch:
        batch.add_column(sa.Column('plan_milestone', sa.String(length=60), nullable=True))

    op.create_table('onboarding_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coverage_model_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('milestones', JSON, nullable=False),
    sa.Column('stall_days', sa.Integer(), nullable=False),
    sa.Column('overdue_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['coverage_model_id'], ['coverage_model.id'], name=op.f('fk_onboarding_plan_coverage_model_id_coverage_model'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_plan')),
    sa.UniqueConstraint('coverage_model_id', name=op.f('uq_onboarding_plan_coverage_model_id'))
    )
    op.create_table('account_onboarding',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('first_value_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_account_onboarding_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['onboarding_plan.id'], name=op.f('fk_account_onboarding_plan_id_onboarding_plan')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_account_onboarding'))
    )
    with op.batch_alter_table('account_onboarding') as batch:
        batch.create_index(batch.f('ix_account_onboarding_plan_id'), ['plan_id'], unique=False)
        batch.create_index(batch.f('ix_account_onboarding_status'), ['status'], unique=False)

    op.create_table('touch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('csm_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_touch_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['csm_id'], ['user.id'], name=op.f('fk_touch_csm_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_touch')),
    sa.UniqueConstraint('external_id', name=op.f('uq_touch_external_id'))
    )
    with op.batch_alter_table('touch') as batch:
        batch.create_index('ix_touch_account_occurred_on', ['account_id', 'occurred_on'], unique=False)
        batch.create_index(batch.f('ix_touch_csm_id'), ['csm_id'], unique=False)

    op.create_table('touch_cadence',
    sa.Column('coverage_model_id', sa.Integer(), nullable=False),
    sa.Column('touch_kind', sa.String(length=20), nullable=True),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['coverage_model_id'], ['coverage_model.id'], name=op.f('fk_touch_cadence_coverage_model_id_coverage_model'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coverage_model_id', name=op.f('pk_touch_cadence'))
    )
    op.create_table('scorecard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('scope_key', sa.String(length=60), nullable=False),
    sa.Column('definition', JSON, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard')),
    sa.UniqueConstraint('scope', 'scope_key', name=op.f('uq_scorecard_scope'))
    )
    op.create_table('health_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('coverage', sa.Float(), nullable=False),
    sa.Column('computed_band', sa.String(length=12), nullable=False),
    sa.Column('band', sa.String(length=12), nullable=False),
    sa.Column('measures', sa.LargeBinary(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_score')),
    sa.UniqueConstraint('account_id', 'scored_on', name=op.f('uq_health_score_account_id'))
    )
    with op.batch_alter_table('health_score') as batch:
        batch.create_index('ix_health_score_scored_on', ['scored_on'], unique=False)

    op.create_table('health_scoring',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('measures', JSON, nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_scoring')),
    sa.UniqueConstraint('scored_on', 'scorecard_id', name=op.f('uq_health_scoring_scored_on'))
    )
    op.create_table('health_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_health_override_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_health_override_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_override'))
    )
    with op.batch_alter_table('health_override') as batch:
        batch.create_index(batch.f('ix_health_override_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('health_override') as batch:
        batch.drop_index(batch.f('ix_health_override_account_id'))
    op.drop_table('health_override')
    with op.batch_alter_table('health_score') as batch:
        batch.drop_index('ix_health_score_scored_on')
    op.drop_table('health_score')
    op.drop_table('health_scoring')
    op.drop_table('scorecard')
    op.drop_table('touch_cadence')
    with op.batch_alter_table('touch') as batch:
        batch.drop_index(batch.f('ix_touch_csm_id'))
        batch.drop_index('ix_touch_account_occurred_on')
    op.drop_table('touch')
    with op.batch_alter_table('account_onboarding') as batch:
        batch.drop_index(batch.f('ix_account_onboarding_status'))
        batch.drop_index(batch.f('ix_account_onboarding_plan_id'))
    op.drop_table('account_onboarding')
    op.drop_table('onboarding_plan')
    with op.batch_alter_table('onboarding_milestone') as batch:
        batch.drop_column('plan_milestone')
