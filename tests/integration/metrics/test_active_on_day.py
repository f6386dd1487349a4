"""One definition of "active on day d": SQL, the metrics engine and the back-test agree on edges."""

from datetime import date

import pandas as pd
from sqlalchemy import select

from cstier.domain.health.backtest import churn_outcomes
from cstier.domain.metrics import Period
from cstier.domain.metrics.retention import cohort_outcomes
from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import Subscription
from cstier.services.metrics.churned import churned_accounts_query
from cstier.services.metrics.compute import visible_book
from cstier.services.tiering.current_arr import active_on
from tests.factories import AccountFactory
from tests.integration.metrics.conftest import subscribe

DAY = date(2026, 2, 1)
NEXT = date(2026, 3, 1)


def test_sql_engine_and_back_test_agree_on_the_edges(db_session):
    names = ("ends on the day", "starts on the day", "ends the day after", "starts the day after",
             "ends on its start day", "open", "ends on the next snapshot")  # fmt: skip
    accounts = {name: AccountFactory(name=name) for name in names}
    subscribe(accounts["ends on the day"], "2025-06-01", "2026-02-01", 100_00)
    subscribe(accounts["starts on the day"], "2026-02-01", None, 100_00)
    subscribe(accounts["ends the day after"], "2025-06-01", "2026-02-02", 100_00)
    subscribe(accounts["starts the day after"], "2026-02-02", None, 100_00)
    subscribe(accounts["ends on its start day"], "2026-02-01", "2026-02-01", 100_00)
    subscribe(accounts["open"], "2025-06-01", None, 100_00)
    subscribe(accounts["ends on the next snapshot"], "2025-06-01", "2026-03-01", 100_00)
    db.session.commit()
    ids = {account.id: name for name, account in accounts.items()}

    def sql_active(day: date) -> set[str]:
        rows = db.session.scalars(select(Subscription.account_id).where(active_on(day)))
        return {ids[a] for a in rows}

    book = visible_book(db.session, SYSTEM_ACTOR)
    cohort = cohort_outcomes(book, Period(DAY, NEXT))
    engine_active = {ids[a] for a in cohort["account_id"]}
    expected = {"starts on the day", "ends the day after", "open", "ends on the next snapshot"}
    assert sql_active(DAY) == engine_active == expected
    engine_churned = {ids[a] for a in cohort.loc[cohort["churned"], "account_id"]}
    assert engine_churned == {"ends the day after", "ends on the next snapshot"}
    assert engine_churned == expected - sql_active(NEXT)

    scores = pd.DataFrame(
        {"account_id": list(ids), "scored_on": date(2026, 1, 15), "score": 50.0, "band": "yellow"}
    )
    outcomes = churn_outcomes(scores, book, NEXT)
    assert {ids[a] for a in outcomes["account_id"]} == expected
    assert {ids[a] for a in outcomes.loc[outcomes["churned"], "account_id"]} == engine_churned

    # Churned "today" is the same rule: had subscriptions, none active on the day.
    churned_today = {ids[a] for a, _ in db.session.execute(churned_accounts_query(NEXT))}
    assert churned_today == {"ends on the day", "ends the day after", "ends on the next snapshot"}
