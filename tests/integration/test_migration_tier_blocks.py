"""Migration 0017 packs account_tier into tier blocks and its downgrade gives the rows back."""

import os

import pandas as pd
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import make_app

ACCOUNTS = (1, 2, 70_000)  # 70,000 is in block 1, the others in block 0
ROWS = [  # account, scheme, tier, pending tier, pending count
    (1, 1, "Strategic", None, 0),
    (2, 1, 'Scale, "quoted"', "Strategic", 2),
    (70_000, 1, "ü—東\nline", None, 0),
    (1, 2, "", None, 0),
    (2, 2, "NaN", None, 0),
    (70_000, 2, "NaN", "it's, only pending", 1),
]


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the suite's kind, dropped afterwards."""
    url = os.environ.get("CSTIER_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    name = f"cstier_migration_blocks_{os.getpid()}"  # concurrent suites must not share it
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _seed_at_0016(conn) -> None:
    conn.execute(text(
        "INSERT INTO company (id, external_id, name, created_at, updated_at) "
        "VALUES (1, 'CO-1', 'Acme', '2026-01-01', '2026-01-01')"
    ))  # fmt: skip
    for account in ACCOUNTS:
        conn.execute(text(
            "INSERT INTO account (id, external_id, name, unit_type, company_id, arr_cents, "
            "lifecycle_stage, attributes, version, created_at, updated_at) VALUES "
            f"({account}, 'AC-{account}', 'A{account}', 'company', 1, 0, 'active', '{{}}', 1, "
            "'2026-01-01', '2026-01-01')"
        ))  # fmt: skip
    for scheme, key in ((1, "value_tiers"), (2, "needs_tiers")):
        conn.execute(text(
            "INSERT INTO tier_scheme (id, key, name, dimension, goal, kpi, active, "
            f"current_version, created_at) VALUES ({scheme}, '{key}', '{key}', 'value', '', '', "
            "true, 1, '2026-01-01')"
        ))  # fmt: skip
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
    from cstier.services.tiering.current import account_tiers, read_current_tiers

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
        db.engine.dispose()

    assert "account_tier" not in tables
    assert "tier_block" in tables
    assert blocks == [(1, 0), (1, 1), (2, 0), (2, 1)]
    assert read == expected
    assert by_account == {
        1: {1: ("Strategic", None, 0), 2: ("", None, 0)},
        2: {1: ('Scale, "quoted"', "Strategic", 2), 2: ("NaN", None, 0)},
        70_000: {1: ("ü—東\nline", None, 0), 2: ("NaN", "it's, only pending", 1)},
        3: {},
    }

    assert "tier_block" not in tables_after
    assert restored == expected
