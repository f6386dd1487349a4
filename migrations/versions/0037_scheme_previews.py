"""scheme_preview and preview_move: a what-if preview's stored outcome

Revision ID: 0037
Revises: 0034
Create Date: 2026-12-07

A preview of a draft scheme reads the whole book, so it runs as a background job and keeps
what it found: the summary (matrix, headcount, coverage changes) in scheme_preview and each
moving account in preview_move, numbered largest ARR first, so the result page, the
moving-accounts list (paged by position) and its export never compute it again.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0034'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table('scheme_preview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('based_on_version', sa.Integer(), nullable=False),
    sa.Column('definition', JSON, nullable=False),
    sa.Column('summary', JSON, nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name=op.f('fk_scheme_preview_scheme_id_tier_scheme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_scheme_preview_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_preview'))
    )
    with op.batch_alter_table('scheme_preview') as batch:
        batch.create_index(batch.f('ix_scheme_preview_scheme_id'), ['scheme_id'], unique=False)
    op.create_table('preview_move',
    sa.Column('preview_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('from_tier', sa.String(length=60), nullable=True),
    sa.Column('to_tier', sa.String(length=60), nullable=False),
    sa.Column('arr_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['preview_id'], ['scheme_preview.id'], name=op.f('fk_preview_move_preview_id_scheme_preview'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('preview_id', 'position', name=op.f('pk_preview_move'))
    )


def downgrade():
    op.drop_table('preview_move')
    op.drop_table('scheme_preview')
