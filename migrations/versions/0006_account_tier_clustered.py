"""account tier keyed and clustered by (scheme, account)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

The primary key becomes (scheme_id, account_id). On SQLite the table is rebuilt
WITHOUT ROWID, so rows are stored in key order and a run's updates (a scheme at a
time, in account order) walk it once; its rows are copied in that order. PostgreSQL
keeps its heap and only swaps the key. Both gain an index on account_id, which the
account page and the cascade from account use.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = (
    "account_id, scheme_id, tier, explanation, source, scheme_version, run_id, "
    "pending_tier, pending_count, updated_at"
)


def _rebuild_sqlite(key: list[str], without_rowid: bool) -> None:
    op.create_table('account_tier_rebuilt',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=60), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('scheme_version', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('pending_tier', sa.String(length=60), nullable=True),
    sa.Column('pending_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name='fk_account_tier_account_id_account', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['tiering_run.id'], name='fk_account_tier_run_id_tiering_run'),
    sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name='fk_account_tier_scheme_id_tier_scheme'),
    sa.PrimaryKeyConstraint(*key, name='pk_account_tier'),
    sqlite_with_rowid=not without_rowid,
    )
    op.execute(
        f"INSERT INTO account_tier_rebuilt ({COLUMNS}) "
        f"SELECT {COLUMNS} FROM account_tier ORDER BY {', '.join(key)}"
    )
    op.drop_table('account_tier')
    op.rename_table('account_tier_rebuilt', 'account_tier')


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # The rebuilt table has no indexes yet: the covering one comes back too.
        _rebuild_sqlite(['scheme_id', 'account_id'], without_rowid=True)
        op.create_index('ix_account_tier_scheme_tier_account', 'account_tier', ['scheme_id', 'tier', 'account_id'], unique=False)
    else:
        op.drop_constraint('pk_account_tier', 'account_tier', type_='primary')
        op.create_primary_key('pk_account_tier', 'account_tier', ['scheme_id', 'account_id'])
    op.create_index('ix_account_tier_account_id', 'account_tier', ['account_id'], unique=False)


def downgrade():
    op.drop_index('ix_account_tier_account_id', table_name='account_tier')
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(['account_id', 'scheme_id'], without_rowid=False)
        op.create_index('ix_account_tier_scheme_tier_account', 'account_tier', ['scheme_id', 'tier', 'account_id'], unique=False)
    else:
        op.drop_constraint('pk_account_tier', 'account_tier', type_='primary')
        op.create_primary_key('pk_account_tier', 'account_tier', ['account_id', 'scheme_id'])
