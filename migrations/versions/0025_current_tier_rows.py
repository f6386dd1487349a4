"""current_tier rows and the current_tiers view: current tiers readable in plain SQL

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

The current tiers lived only in tier_block's packed uint16 codes, which no SQL user, BI
tool or list query can read. current_tier holds one row per account and scheme holding a
tier, written by the store with the blocks (the blocks stay the runs' packed read copy);
the view current_tiers adds the scheme's key, dimension and name, so an analyst runs
SELECT account_id, tier FROM current_tiers WHERE scheme_key = 'value_tiers' AND tier = 'Strategic'
on either engine. Pending moves stay in the blocks only.

The upgrade fills the table from the blocks; the decode is repeated here rather than
imported, so this migration keeps working whatever the application code becomes. The rows
are written through the driver (COPY on PostgreSQL, executemany on SQLite), and the index
(and on PostgreSQL the keys) are built after the load, cheaper than maintaining them row by
row.
"""
import io
import json

import numpy as np
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0033'
branch_labels = None
depends_on = None

BLOCK_SIZE = 65_536
CODE = np.dtype('<u2')
VIEW = (
    'CREATE VIEW current_tiers AS '
    'SELECT ct.account_id, s.key AS scheme_key, s.dimension, s.name AS scheme_name, ct.tier '
    'FROM current_tier ct JOIN tier_scheme s ON s.id = ct.scheme_id'
)


def _rows_of_block(scheme_id, number, names, raw):
    """Return a block's tiered account ids and their tier names, as two aligned arrays."""
    codes = np.frombuffer(raw or b'', CODE)
    at = np.flatnonzero(codes)
    labels = np.array([None, *names], dtype=object)
    return at.astype(np.int64) + number * BLOCK_SIZE, labels[codes[at]]


def _decoded(names):
    # SQLite hands JSON back as text through a plain select.
    return names if isinstance(names, list) else json.loads(names)


def _copy_rows(dbapi, account_ids, scheme_id, tiers):
    """COPY one block's rows into current_tier (PostgreSQL), as text."""
    buffer = io.StringIO()
    for account_id, tier in zip(account_ids.tolist(), tiers.tolist(), strict=True):
        escaped = tier.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')
        buffer.write(f'{account_id}\t{scheme_id}\t{escaped}\n')
    with dbapi.cursor() as cursor, cursor.copy(
        'COPY current_tier (account_id, scheme_id, tier) FROM STDIN'
    ) as copy:
        copy.write(buffer.getvalue())


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    keys = [
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_current_tier_account_id_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name=op.f('fk_current_tier_scheme_id_tier_scheme')),
        sa.PrimaryKeyConstraint('account_id', 'scheme_id', name=op.f('pk_current_tier')),
    ]
    # PostgreSQL checks each COPY row's keys and grows the primary key row by row; loading a
    # bare table and adding the keys afterwards (one index build, one join per key) is faster.
    # SQLite cannot add keys to a table, and env.py already turns its key checks off here.
    op.create_table('current_tier',
    sa.Column('account_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=60), nullable=False),
    *([] if postgres else keys),
    sqlite_with_rowid=False,
    )
    blocks = bind.execute(sa.text(
        'SELECT scheme_id, block, tier_names, tiers FROM tier_block ORDER BY block, scheme_id'
    ))
    dbapi = bind.connection.driver_connection
    for scheme_id, number, names, raw in blocks.all():
        account_ids, tiers = _rows_of_block(scheme_id, number, _decoded(names), raw)
        if not len(account_ids):
            continue
        if postgres:
            _copy_rows(dbapi, account_ids, scheme_id, tiers)
        else:
            rows = zip(account_ids.tolist(), [scheme_id] * len(tiers), tiers.tolist(), strict=True)
            dbapi.executemany(
                'INSERT INTO current_tier (account_id, scheme_id, tier) VALUES (?, ?, ?)', rows
            )
    if postgres:
        op.create_primary_key(op.f('pk_current_tier'), 'current_tier', ['account_id', 'scheme_id'])
        op.create_foreign_key(
            op.f('fk_current_tier_account_id_account'), 'current_tier', 'account',
            ['account_id'], ['id'], ondelete='CASCADE',
        )
        op.create_foreign_key(
            op.f('fk_current_tier_scheme_id_tier_scheme'), 'current_tier', 'tier_scheme',
            ['scheme_id'], ['id'],
        )
    op.create_index(
        op.f('ix_current_tier_scheme_tier_account'), 'current_tier',
        ['scheme_id', 'tier', 'account_id'], unique=False,
    )
    if postgres:
        op.execute('ANALYZE current_tier')
    op.execute(VIEW)


def downgrade():
    op.execute('DROP VIEW current_tiers')
    op.drop_index(op.f('ix_current_tier_scheme_tier_account'), table_name='current_tier')
    op.drop_table('current_tier')
