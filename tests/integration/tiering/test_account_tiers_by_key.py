"""An account's current tiers are found by the (scheme_id, account_id) key, not by a scan.

account_tier has no account_id index (migration 0016), so the account page's query must
name the schemes for the database to look each tier up by key. SQLite shows its plan
plainly; PostgreSQL's planner scans tiny test tables whatever the indexes, so it is not
asked here (the 1M benchmark checked it: a nested loop over schemes on the key).
"""

import pytest
from sqlalchemy import event

from cstier.extensions import db
from cstier.services.tiering.history import current_for_account
from cstier.services.tiering.run import run_tiering
from tests.factories import AccountFactory


def test_the_account_page_looks_tiers_up_by_key(db_session):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's plan is the one that would scan without the scheme list")
    account = AccountFactory(arr_cents=30_000_000)
    run_tiering(db_session, actor_id=None, trigger="cli")
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM account_tier" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        tiers = current_for_account(db_session, account.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(tiers) == 5 and all(t.explanation for t in tiers)
    ((statement, parameters),) = statements
    explained = db_session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters
    )
    plan = " | ".join(row[3] for row in explained)
    assert "account_tier USING PRIMARY KEY (scheme_id=? AND account_id=?)" in plan, plan
    assert "SCAN account_tier" not in plan, plan
