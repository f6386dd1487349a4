"""current tiers packed per scheme in blocks of account ids; account_tier goes

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24

A re-tier compares every account's proposed tier in each scheme with its stored one and
changes a few percent of them, spread over the whole book. As one row per account and
scheme (5M rows at 1M accounts) the read cost 1.8 s on SQLite and 2.5-4 s on PostgreSQL,
and the scattered updates rewrote nearly every page of the table. tier_block holds each
scheme's tiers as an array of uint16 codes per 65,536 account ids (0: no tier, k: the k-th
of tier_names), plus the pending move of schemes damped by runs: 16 rows per scheme at
1M accounts, read and rewritten whole (services/tiering/current.py).

The codec is repeated here rather than imported, so this migration keeps working
whatever the application code becomes.
"""
from alembic import op
import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BLOCK_SIZE = 65_536
CODE = np.dtype('<u2')
NAMES = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
BLOCKS = sa.table(
    'tier_block',
    sa.column('scheme_id', sa.Integer), sa.column('block', sa.Integer),
    sa.column('tier_names', NAMES), sa.column('tiers', sa.LargeBinary),
    sa.column('pending', sa.LargeBinary), sa.column('pending_counts', sa.LargeBinary),
)
ROWS = sa.table(
    'account_tier',
    sa.column('account_id', sa.Integer), sa.column('scheme_id', sa.Integer),
    sa.column('tier', sa.String), sa.column('pending_tier', sa.String),
    sa.column('pending_count', sa.Integer),
)


def _packed(codes):
    used = np.flatnonzero(codes)
    return codes[: used[-1] + 1 if len(used) else 0].astype(CODE).tobytes()


def _unpacked(raw):
    codes = np.zeros(BLOCK_SIZE, CODE)
    if raw:
        stored = np.frombuffer(raw, CODE)
        codes[: len(stored)] = stored
    return codes


def _blocks_of(scheme_id, rows):
    """Pack one scheme's (account_id, tier, pending_tier, pending_count) rows into blocks."""
    # A move is pending where a count is (as the runs read it), whatever its tier's name.
    pending = [r[2] if r[2] is not None and r[3] else None for r in rows]
    names = sorted({r[1] for r in rows} | {p for p in pending if p is not None})
    code = {name: i for i, name in enumerate(names, start=1)}
    account_ids = np.array([r[0] for r in rows], dtype=np.int64)
    tier_codes = np.array([code[r[1]] for r in rows], dtype=np.int64)
    pending_codes = np.array([0 if p is None else code[p] for p in pending], dtype=np.int64)
    counts = np.array([min(r[3] or 0, np.iinfo(CODE).max) for r in rows], dtype=np.int64)
    numbers, offsets = np.divmod(account_ids, BLOCK_SIZE)
    for number in np.unique(numbers).tolist():
        chosen = numbers == number
        arrays = [np.zeros(BLOCK_SIZE, CODE) for _ in range(3)]
        for array, values in zip(arrays, (tier_codes, pending_codes, counts * (pending_codes > 0))):
            array[offsets[chosen]] = values[chosen]
        tier_array, pending_array, count_array = arrays
        has_pending = bool(pending_array.any())
        yield {
            'scheme_id': scheme_id, 'block': number, 'tier_names': names,
            'tiers': _packed(tier_array),
            'pending': _packed(pending_array) if has_pending else None,
            'pending_counts': _packed(count_array) if has_pending else None,
        }


def upgrade():
    bind = op.get_bind()
    op.create_table('tier_block',
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tier_names', NAMES, nullable=False),
    sa.Column('tiers', sa.LargeBinary(), nullable=False),
    sa.Column('pending', sa.LargeBinary(), nullable=True),
    sa.Column('pending_counts', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name=op.f('fk_tier_block_scheme_id_tier_scheme')),
    sa.PrimaryKeyConstraint('scheme_id', 'block', name=op.f('pk_tier_block'))
    )
    if bind.dialect.name == 'postgresql':
        # Codes barely compress and a run reads them all: skip TOAST's compression.
        for column in ('tiers', 'pending', 'pending_counts'):
            op.execute(f'ALTER TABLE tier_block ALTER COLUMN {column} SET STORAGE EXTERNAL')
    schemes = bind.execute(sa.text('SELECT DISTINCT scheme_id FROM account_tier')).scalars().all()
    for scheme_id in schemes:
        rows = bind.execute(
            sa.select(ROWS.c.account_id, ROWS.c.tier, ROWS.c.pending_tier, ROWS.c.pending_count)
            .where(ROWS.c.scheme_id == scheme_id)
        ).all()
        blocks = list(_blocks_of(scheme_id, rows))
        if blocks:
            bind.execute(BLOCKS.insert(), blocks)
    op.drop_table('account_tier')


def downgrade():
    bind = op.get_bind()
    op.create_table('account_tier',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=60), nullable=False),
    sa.Column('pending_tier', sa.String(length=60), nullable=True),
    sa.Column('pending_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name='fk_account_tier_account_id_account', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['tier_scheme.id'], name='fk_account_tier_scheme_id_tier_scheme'),
    sa.PrimaryKeyConstraint('scheme_id', 'account_id', name='pk_account_tier'),
    sqlite_with_rowid=False,
    postgresql_with={'fillfactor': 85},
    )
    stored = bind.execute(
        sa.select(BLOCKS.c.scheme_id, BLOCKS.c.block, BLOCKS.c.tier_names, BLOCKS.c.tiers,
                  BLOCKS.c.pending, BLOCKS.c.pending_counts)
        .order_by(BLOCKS.c.scheme_id, BLOCKS.c.block)
    ).all()
    for scheme_id, number, names, tiers, pending, counts in stored:
        tiers, pending, counts = _unpacked(tiers), _unpacked(pending), _unpacked(counts)
        rows = [
            {'account_id': number * BLOCK_SIZE + at, 'scheme_id': scheme_id,
             'tier': names[tiers[at] - 1],
             'pending_tier': names[pending[at] - 1] if pending[at] else None,
             'pending_count': int(counts[at])}
            for at in np.flatnonzero(tiers).tolist()
        ]
        if rows:
            bind.execute(ROWS.insert(), rows)
    op.drop_table('tier_block')
    if bind.dialect.name == 'postgresql':
        # As migration 0008 set them: a run changes a few percent of the table at once.
        op.execute(
            'ALTER TABLE account_tier SET (autovacuum_vacuum_scale_factor = 0.02, '
            'autovacuum_analyze_scale_factor = 0.02)'
        )
