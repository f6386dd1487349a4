"""Migrations 0019 and 0020 drop two foreign keys of account_coverage; rows and indexes stay."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

ROWS = [(1, 1, True), (2, None, False)]  # account, coverage model, needs reassignment


def _seed_at_0018(conn) -> None:
    seed_accounts_and_schemes(conn, (1, 2), scheme_version=1)
    conn.execute(text(
        "INSERT INTO coverage_model (id, key, name, motion, accounts_per_csm, hard_limit_pct, "
        "cadence, sort_order) VALUES (1, 'high_touch', 'High-touch', 'high_touch', 50, 125, '', 0)"
    ))  # fmt: skip
    for account, model, flagged in ROWS:
        conn.execute(
            text(
                "INSERT INTO account_coverage (account_id, coverage_model_id, needs_reassignment, "
                "updated_at) VALUES (:a, :m, :f, '2026-01-01')"
            ),
            {"a": account, "m": model, "f": flagged},
        )


def _state(db) -> tuple[list[tuple], set[tuple], set[str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT account_id, coverage_model_id, needs_reassignment "
                "FROM account_coverage ORDER BY account_id"
            )
        ).all()
    inspector = inspect(db.engine)
    keys = inspector.get_foreign_keys("account_coverage")
    indexes = {ix["name"] for ix in inspector.get_indexes("account_coverage")}
    return (
        [tuple(r) for r in rows],
        indexes,
        {(k["referred_table"], tuple(k["constrained_columns"])) for k in keys},
    )


def test_rows_and_the_other_keys_survive_the_drops_and_their_downgrades(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0018")
        with db.engine.begin() as conn:
            _seed_at_0018(conn)
        states = {"0018": _state(db)}
        for revision in ("0019", "0020"):
            upgrade(revision=revision)
            states[revision] = _state(db)
        for revision in ("0019", "0018"):
            downgrade(revision=revision)
            states[f"down to {revision}"] = _state(db)
        db.engine.dispose()

    kept = {("account", ("account_id",)), ("pool", ("pool_id",))}
    model = ("coverage_model", ("coverage_model_id",))
    owner = ("user", ("suggested_owner_id",))
    # SQLite rebuilds the table each time: its indexes must come back with it.
    indexes = {"ix_account_coverage_needs_reassignment", "ix_account_coverage_pool_id"}
    assert states == {
        "0018": (ROWS, indexes, kept | {model, owner}),
        "0019": (ROWS, indexes, kept | {owner}),
        "0020": (ROWS, indexes, kept),
        "down to 0019": (ROWS, indexes, kept | {owner}),
        "down to 0018": (ROWS, indexes, kept | {model, owner}),
    }
