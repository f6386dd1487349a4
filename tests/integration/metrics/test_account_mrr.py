"""An account's MRR history: the engine's MRR on the 1st of each month and today."""

from datetime import date

from cstier.extensions import db
from cstier.services.metrics.account_mrr import mrr_history
from tests.factories import AccountFactory
from tests.integration.metrics.conftest import subscribe


def test_mrr_on_each_first_counts_what_runs_that_day(db_session):
    account, other = AccountFactory(), AccountFactory()
    subscribe(account, "2026-01-01", "2026-03-01", 100_00)  # ends on Mar 1st: not that day
    subscribe(account, "2026-02-01", None, 50_00, "Add-on")  # starts on Feb 1st: counts
    subscribe(account, "2026-04-10", None, 30_00, "Seats")  # only today
    subscribe(other, "2025-01-01", None, 999_00)
    db.session.commit()
    history = mrr_history(db.session, account, date(2026, 4, 15), months=4)
    assert history.days == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1),
                            date(2026, 4, 1), date(2026, 4, 15)]  # fmt: skip
    assert history.mrr_cents == [100_00, 150_00, 50_00, 50_00, 80_00]
    assert history.chart()["mrr"][-1] == 80.0


def test_no_subscriptions_no_history(db_session):
    assert mrr_history(db.session, AccountFactory(), date(2026, 4, 15)).days == []
