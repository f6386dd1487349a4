"""user.session_token and login_failure_count

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

Sign-in cookies now carry the user's session token, so a logout, a password change, a
deactivation or a role change ends every session and remember cookie of that user by
replacing it. Existing users get a random token each; cookies issued before this migration
carry no token and stop working, which signs everyone out once.

login_failure_count holds the failed sign-ins per (email, address), per address and per
email, incremented in one INSERT ... ON CONFLICT DO UPDATE so that parallel attempts cannot
pass the limit between a count and an insert.
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    user = sa.table('user', sa.column('id', sa.Integer()), sa.column('session_token', sa.String()))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(user.c.id)).all():
        conn.execute(
            user.update()
            .where(user.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table('user') as batch:
        batch.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)

    op.create_table('login_failure_count',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_login_failure_count'))
    )
    with op.batch_alter_table('login_failure_count') as batch:
        batch.create_index(
            batch.f('ix_login_failure_count_window_started_at'), ['window_started_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('login_failure_count') as batch:
        batch.drop_index(batch.f('ix_login_failure_count_window_started_at'))
    op.drop_table('login_failure_count')
    with op.batch_alter_table('user') as batch:
        batch.drop_column('session_token')
