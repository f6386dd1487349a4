"""alert rules, subscriptions, notifications, webhook endpoints and deliveries

Revision ID: 0027
Revises: 0024
Create Date: 2026-12-07

A dispatcher turns committed outbox events into notifications (one per user and change,
unique on the pair) and deliveries (unique on their key), so dispatching an event twice adds
nothing. Webhook secrets are stored encrypted (Fernet, key outside the database).

Events written before this revision are marked dispatched: alerting starts with the next
change instead of telling everyone of every past run at once.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=True),
    sa.Column('tier', sa.String(length=60), nullable=True),
    sa.Column('region', sa.String(length=50), nullable=True),
    sa.Column('coverage_model_id', sa.Integer(), nullable=True),
    sa.Column('default_for', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coverage_model_id'], ['coverage_model.id'], name=op.f('fk_alert_rule_coverage_model_id_coverage_model')),
    sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name=op.f('fk_alert_rule_scheme_id_tier_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rule'))
    )
    op.create_table('alert_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('channels', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('cadence', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['alert_rule.id'], name=op.f('fk_alert_subscription_rule_id_alert_rule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_alert_subscription_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscription')),
    sa.UniqueConstraint('user_id', 'rule_id', name=op.f('uq_alert_subscription_user_id'))
    )
    with op.batch_alter_table('alert_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_subscription_user_id'), ['user_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('change_key', sa.String(length=60), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('cause', sa.String(length=200), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('digest', sa.String(length=10), nullable=True),
    sa.Column('digested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rule_id'], ['alert_rule.id'], name=op.f('fk_notification_rule_id_alert_rule'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'change_key', name=op.f('uq_notification_user_id'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_digest', ['digest', 'digested_at'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'in_app', 'read_at'], unique=False)

    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('events', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('payload_format', sa.String(length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('disabled_reason', sa.String(length=300), nullable=True),
    sa.Column('secret_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_webhook_endpoint_created_by_id_user')),
    sa.ForeignKeyConstraint(['rule_id'], ['alert_rule.id'], name=op.f('fk_webhook_endpoint_rule_id_alert_rule'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=2000), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.String(length=80), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_delivery_endpoint_id_webhook_endpoint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
    sa.UniqueConstraint('key', name=op.f('uq_delivery_key'))
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_endpoint_id'), ['endpoint_id'], unique=False)

    op.execute("UPDATE outbox_event SET dispatched_at = created_at WHERE dispatched_at IS NULL")



def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_endpoint_id'))
        batch_op.drop_index('ix_delivery_due')

    op.drop_table('delivery')
    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_digest')

    op.drop_table('notification')
    with op.batch_alter_table('alert_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_subscription_user_id'))

    op.drop_table('alert_subscription')
    op.drop_table('alert_rule')
