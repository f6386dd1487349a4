"""Migration 0017 packs account_tier into tier blocks and its downgrade gives the rows back."""

import pandas as pd
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

ACCOUNTS = (1, 2, 70_000)  # 70,000 is in block 1, the others in block 0
ROWS = [  # account, scheme, tier, pending tier, pending count
    (1, 1, "Strategic", None, 0),
    (2, 1, 'Scale, "quoted"', "Strategic", 2),
    (70_000, 1, "ü—東\nline", None, 0),
    (1, 2, "", "", 3),  # an empty name, pending too
    (2, 2, "NaN", None, 0),
    (70_000, 2, "NaN", "it's, only pending", 1),
]


def _seed_at_0016(conn) -> None:
    seed_accounts_and_schemes(conn, ACCOUNTS, scheme_version=1)
    for account, scheme, tier, pending_tier, pending_count in ROWS:
        conn.execute(
            text(
                "INSERT INTO account_tier (account_id, scheme_id, tier, pending_tier, "
                "pending_count) VALUES (:a, :s, :t, :p, :n)"
            ),
            {"a": account, "s": scheme, "t": tier, "p": pending_tier, "n": pending_count},
        )


def _account_tier_rows(db) -> list[tuple]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT account_id, scheme_id, tier, pending_tier, pending_count "
                "FROM account_tier ORDER BY scheme_id, account_id"
            )
        ).all()
    return [tuple(r) for r in rows]


def _in_blocks(db) -> tuple[list[tuple], dict[int, dict], list[tuple]]:
    """Return what the application reads after the upgrade: frames, per-account, blocks."""
    from cstier.store.tier_blocks import account_tiers, read_current_tiers

    with Session(db.engine) as session:
        frames = read_current_tiers(session, [1, 2], with_pending=True)
        read = [
            (
                row.account_id,
                scheme_id,
                row.tier,
                None if pd.isna(row.pending_tier) else row.pending_tier,
                row.pending_count,
            )
            for scheme_id, frame in frames.items()
            for row in frame.itertuples(index=False)
        ]
        by_account = {account: account_tiers(session, account) for account in (*ACCOUNTS, 3)}
        blocks = session.execute(
            text("SELECT scheme_id, block FROM tier_block ORDER BY scheme_id, block")
        ).all()
    return read, by_account, [tuple(b) for b in blocks]


def test_tiers_and_pending_moves_survive_the_upgrade_and_the_downgrade(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    expected = sorted(ROWS, key=lambda r: (r[1], r[0]))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0016")
        with db.engine.begin() as conn:
            _seed_at_0016(conn)
        assert _account_tier_rows(db) == expected

        upgrade()
        read, by_account, blocks = _in_blocks(db)
        tables = set(db.inspect(db.engine).get_table_names())

        downgrade(revision="0016")
        restored = _account_tier_rows(db)
        tables_after = set(db.inspect(db.engine).get_table_names())
        options = _storage_options(db)
        db.engine.dispose()

    assert "account_tier" not in tables
    assert "tier_block" in tables
    assert blocks == [(1, 0), (1, 1), (2, 0), (2, 1)]
    assert read == expected
    assert by_account == {
        1: {1: ("Strategic", None, 0), 2: ("", "", 3)},
        2: {1: ('Scale, "quoted"', "Strategic", 2), 2: ("NaN", None, 0)},
        70_000: {1: ("ü—東\nline", None, 0), 2: ("NaN", "it's, only pending", 1)},
        3: {},
    }

    assert "tier_block" not in tables_after
    assert restored == expected
    if options is not None:  # PostgreSQL: autovacuum keeps up with a run again (0008)
        assert "autovacuum_vacuum_scale_factor=0.02" in options


def _storage_options(db) -> list[str] | None:
    if db.engine.dialect.name != "postgresql":
        return None
    with db.engine.connect() as conn:
        sql = "SELECT reloptions FROM pg_class WHERE relname = 'account_tier'"
        return conn.execute(text(sql)).scalar() or []
