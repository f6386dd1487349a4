"""account_tier.run_id without a foreign key

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23

The run that set a current tier is shown beside it; the enforced reference to the run
is on the tier_change row each change writes in the same transaction. Checking the key
on account_tier cost a lookup per updated row of every re-tier. SQLite cannot drop a
constraint in place, so the table is rebuilt there (keeping WITHOUT ROWID and its order).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = (
    "account_id, scheme_id, tier, explanation, source, scheme_version, run_id, "
    "pending_tier, pending_count, updated_at"
)
RUN_FK = 'fk_account_tier_run_id_tiering_run'


def _rebuild_sqlite(checked: bool) -> None:
    constraints = [
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], name='fk_account_tier_account_id_account', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name='fk_account_tier_scheme_id_tier_scheme'),
        sa.PrimaryKeyConstraint('scheme_id', 'account_id', name='pk_account_tier'),
    ]
    if checked:
        constraints.append(sa.ForeignKeyConstraint(['run_id'], ['tiering_run.id'], name=RUN_FK))
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
    *constraints,
    sqlite_with_rowid=False,
    )
    op.execute(
        f"INSERT INTO account_tier_rebuilt ({COLUMNS}) "
        f"SELECT {COLUMNS} FROM account_tier ORDER BY scheme_id, account_id"
    )
    op.drop_table('account_tier')
    op.rename_table('account_tier_rebuilt', 'account_tier')
    op.create_index('ix_account_tier_scheme_tier_account', 'account_tier', ['scheme_id', 'tier', 'account_id'], unique=False)
    op.create_index('ix_account_tier_account_id', 'account_tier', ['account_id'], unique=False)


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(checked=False)
    else:
        op.drop_constraint(RUN_FK, 'account_tier', type_='foreignkey')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(checked=True)
    else:
        op.create_foreign_key(RUN_FK, 'account_tier', 'tiering_run', ['run_id'], ['id'])
