"""job_run, job_schedule, scheduler_heartbeat, background_job and feed_file

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-07

The scheduler process records each fire time of a scheduled job in job_run, unique on
(job, scheduled_for), so a fire time completes once however many schedulers run; an
admin's cron expression overrides a job's default in job_schedule; scheduler_heartbeat
tells /healthz when a scheduler last lived. background_job holds work asked for from a
page or the API (a re-tier, an import) with its progress; feed_file remembers which
files of the import feed folder were taken.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0029'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_job_run_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job', 'scheduled_for', name=op.f('uq_job_run_job'))
    )
    with op.batch_alter_table('job_run') as batch:
        batch.create_index(batch.f('ix_job_run_scheduled_for'), ['scheduled_for'], unique=False)
        batch.create_index(batch.f('ix_job_run_status'), ['status'], unique=False)

    op.create_table('job_schedule',
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('cron', sa.String(length=120), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_job_schedule_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_schedule'))
    )

    op.create_table('scheduler_heartbeat',
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('leader', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('holder', name=op.f('pk_scheduler_heartbeat'))
    )
    with op.batch_alter_table('scheduler_heartbeat') as batch:
        batch.create_index(batch.f('ix_scheduler_heartbeat_beat_at'), ['beat_at'], unique=False)

    op.create_table('background_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', JSON, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('progress_message', sa.String(length=200), nullable=True),
    sa.Column('result_url', sa.String(length=300), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_background_job_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job'))
    )
    with op.batch_alter_table('background_job') as batch:
        batch.create_index(batch.f('ix_background_job_status'), ['status'], unique=False)

    op.create_table('feed_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('modified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], name=op.f('fk_feed_file_import_run_id_import_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_file')),
    sa.UniqueConstraint('name', 'modified_at', 'sha256', name=op.f('uq_feed_file_name'))
    )


def downgrade():
    op.drop_table('feed_file')
    with op.batch_alter_table('background_job') as batch:
        batch.drop_index(batch.f('ix_background_job_status'))
    op.drop_table('background_job')
    with op.batch_alter_table('scheduler_heartbeat') as batch:
        batch.drop_index(batch.f('ix_scheduler_heartbeat_beat_at'))
    op.drop_table('scheduler_heartbeat')
    op.drop_table('job_schedule')
    with op.batch_alter_table('job_run') as batch:
        batch.drop_index(batch.f('ix_job_run_status'))
        batch.drop_index(batch.f('ix_job_run_scheduled_for'))
    op.drop_table('job_run')
