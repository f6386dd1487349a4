"""Migration 0025 fills current_tier from the tier blocks, and its downgrade drops view and table."""

import numpy as np
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

BLOCK_SIZE = 65_536
ACCOUNTS = (1, 2, 70_000)  # 70,000 is in block 1, the others in block 0
TIERS = {  # (account, scheme): tier; schemes 1 value_tiers, 2 needs_tiers
    (1, 1): "Strategic",
    (2, 1): 'Scale, "quoted"',
    (70_000, 1): "ü—東\nline\ttab\\",
    (1, 2): "",
    (70_000, 2): "NaN",
}
BLOCKS = sa.table(
    "tier_block",
    sa.column("scheme_id", sa.Integer),
    sa.column("block", sa.Integer),
    sa.column("tier_names", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("tiers", sa.LargeBinary),
    sa.column("pending", sa.LargeBinary),
    sa.column("pending_counts", sa.LargeBinary),
)


def _packed_blocks() -> list[dict]:
    """Return the tier_block rows that hold TIERS, each block numbering its names its own way."""
    rows = []
    for scheme in (1, 2):
        held = {a: t for (a, s), t in TIERS.items() if s == scheme}
        for number in sorted({a // BLOCK_SIZE for a in held}):
            mine = {a: t for a, t in held.items() if a // BLOCK_SIZE == number}
            names = sorted(set(mine.values()), reverse=True)
            codes = np.zeros(max(mine) % BLOCK_SIZE + 1, dtype="<u2")
            for account, tier in mine.items():
                codes[account % BLOCK_SIZE] = names.index(tier) + 1
            rows.append(
                {
                    "scheme_id": scheme,
                    "block": number,
                    "tier_names": names,
                    "tiers": codes.tobytes(),
                    # A pending move stays in the blocks; it makes no row.
                    "pending": codes.tobytes() if scheme == 2 else None,
                    "pending_counts": codes.tobytes() if scheme == 2 else None,
                }
            )
    return rows


def _view(conn) -> set[tuple]:
    rows = conn.execute(
        text("SELECT account_id, scheme_key, dimension, scheme_name, tier FROM current_tiers")
    ).all()
    return {tuple(r) for r in rows}


def test_rows_come_from_the_blocks_and_the_downgrade_drops_view_and_table(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    keys = {1: "value_tiers", 2: "needs_tiers"}
    expected = {(a, keys[s], "value", keys[s], t) for (a, s), t in TIERS.items()}
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0024")
        with db.engine.begin() as conn:
            seed_accounts_and_schemes(conn, ACCOUNTS, scheme_version=1)
            conn.execute(BLOCKS.insert(), _packed_blocks())

        upgrade(revision="0025")
        with db.engine.connect() as conn:
            upgraded = _view(conn)
            strategic = conn.execute(
                text(
                    "SELECT account_id, tier FROM current_tiers "
                    "WHERE scheme_key = 'value_tiers' AND tier = 'Strategic'"
                )
            ).all()
        indexes = {i["name"] for i in db.inspect(db.engine).get_indexes("current_tier")}

        downgrade(revision="0024")
        inspector = db.inspect(db.engine)
        tables, views = set(inspector.get_table_names()), set(inspector.get_view_names())
        with db.engine.connect() as conn:
            blocks_after = conn.execute(text("SELECT count(*) FROM tier_block")).scalar()

        upgrade(revision="0025")  # and up again, from the blocks the downgrade kept
        with db.engine.connect() as conn:
            again = _view(conn)
        db.engine.dispose()

    assert upgraded == expected
    assert [tuple(r) for r in strategic] == [(1, "Strategic")]
    assert "ix_current_tier_scheme_tier_account" in indexes
    assert "current_tier" not in tables and "current_tiers" not in views
    assert blocks_after == len(_packed_blocks())
    assert again == expected
