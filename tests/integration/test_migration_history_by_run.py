"""Migration 0018 re-indexes the history by (run_id, account_id); no row is lost either way."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

ACCOUNTS = (1, 2)
RUNS = (1, 2)  # real runs; history with a NULL run_id was written outside one
TIER_CHANGES = [  # account, scheme, to tier, at, run
    (1, 1, "Growth", "2026-01-01 09:00:00", 1),
    (2, 1, "Scale", "2026-01-01 09:00:00", 1),
    (1, 1, "Strategic", "2026-02-01 09:00:00", 2),
    (1, 2, "High", "2026-02-15 09:00:00", None),
]
COVERAGE_CHANGES = [  # account, to model, at, run
    (1, 10, "2026-01-01 09:00:00", 1),
    (2, 11, "2026-01-01 09:00:00", 1),
    (1, 12, "2026-02-15 09:00:00", None),
]
AT_0017 = {
    "tier_change": {
        ("ix_tier_change_account_id", ("account_id",)),
        ("ix_tier_change_run_id", ("run_id",)),
        ("ix_tier_change_scheme_at", ("scheme_id", "at")),
    },
    "coverage_change": {("ix_coverage_change_account_id", ("account_id",))},
}
AT_0018 = {
    "tier_change": {
        ("ix_tier_change_run_account", ("run_id", "account_id")),
        ("ix_tier_change_scheme_at", ("scheme_id", "at")),
    },
    "coverage_change": {("ix_coverage_change_run_account", ("run_id", "account_id"))},
}


def _seed_at_0017(conn) -> None:
    seed_accounts_and_schemes(conn, ACCOUNTS, scheme_version=1)
    for run in RUNS:
        conn.execute(
            text(
                "INSERT INTO tiering_run (id, started_at, status, dry_run, trigger, "
                "scheme_versions, accounts_evaluated, changes) VALUES "
                "(:id, '2026-01-01', 'succeeded', false, 'cli', '{}', 2, '{}')"
            ),
            {"id": run},
        )
    for account, scheme, to_tier, at, run in TIER_CHANGES:
        conn.execute(
            text(
                "INSERT INTO tier_change (account_id, scheme_id, dimension, from_tier, to_tier, "
                "at, run_id, reason, scheme_version, explanation) VALUES "
                "(:a, :s, 'value', NULL, :t, :at, :r, 'rule', 1, '')"
            ),
            {"a": account, "s": scheme, "t": to_tier, "at": at, "r": run},
        )
    for account, to_model, at, run in COVERAGE_CHANGES:
        conn.execute(
            text(
                "INSERT INTO coverage_change (account_id, from_model_id, to_model_id, at, run_id) "
                "VALUES (:a, NULL, :m, :at, :r)"
            ),
            {"a": account, "m": to_model, "at": at, "r": run},
        )


def _history(db) -> dict[str, list[tuple]]:
    """Return both history tables' rows, in id order, without the time (stored per dialect)."""
    with db.engine.connect() as conn:
        tiers = conn.execute(
            text("SELECT account_id, scheme_id, to_tier, run_id FROM tier_change ORDER BY id")
        ).all()
        coverage = conn.execute(
            text("SELECT account_id, to_model_id, run_id FROM coverage_change ORDER BY id")
        ).all()
    return {
        "tier_change": [tuple(r) for r in tiers],
        "coverage_change": [tuple(r) for r in coverage],
    }


def _indexes(db) -> dict[str, set[tuple]]:
    inspector = inspect(db.engine)
    return {
        table: {(ix["name"], tuple(ix["column_names"])) for ix in inspector.get_indexes(table)}
        for table in AT_0017
    }


def _timeline(db, account_id: int) -> list[tuple]:
    """Return what the application reads of an account's history: (to tier, run), newest first."""
    from cstier.services.tiering.history import timeline

    with Session(db.engine) as session:
        return [(c.to_tier, c.run_id) for c in timeline(session, account_id)]


def test_history_rows_survive_the_reindex_and_its_downgrade(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    expected = {
        "tier_change": [(a, s, t, r) for a, s, t, _, r in TIER_CHANGES],
        "coverage_change": [(a, m, r) for a, m, _, r in COVERAGE_CHANGES],
    }
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0017")
        with db.engine.begin() as conn:
            _seed_at_0017(conn)
        before = _history(db), _indexes(db)

        upgrade(revision="0018")
        after = _history(db), _indexes(db)
        upgrade()  # the service reads the schema the code is written for
        read = {account: _timeline(db, account) for account in (*ACCOUNTS, 3)}

        downgrade(revision="0017")
        restored = _history(db), _indexes(db)
        db.engine.dispose()

    assert before == (expected, AT_0017)
    assert after == (expected, AT_0018)
    assert read == {
        1: [("High", None), ("Strategic", 2), ("Growth", 1)],
        2: [("Scale", 1)],
        3: [],
    }
    assert restored == (expected, AT_0017)
