"""Subscription end dates: stored as the first day without service; inclusive files add a day."""

from datetime import date

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import ChurnedAccount, Subscription
from tests.factories import AccountFactory, CompanyFactory

HEADER = "external_id,account_external_id,product,start_date,end_date,mrr"


@pytest.fixture
def account(db_session):
    return AccountFactory(external_id="AC-1", company=CompanyFactory())


def _stored() -> dict[str, date | None]:
    rows = db.session.execute(select(Subscription.external_id, Subscription.end_date))
    return dict(rows.all())


@pytest.mark.parametrize(
    ("convention", "ends"),
    [
        ("exclusive", {"S-1": date(2026, 2, 1), "S-2": None, "S-3": date(2026, 3, 1)}),
        ("inclusive", {"S-1": date(2026, 2, 2), "S-2": None, "S-3": date(2026, 3, 2)}),
    ],
)
def test_end_dates_are_stored_per_convention(account, write_file, run_import, convention, ends):
    path = write_file(
        "s.csv",
        f"{HEADER}\nS-1,AC-1,Core,2026-01-01,2026-02-01,10\nS-2,AC-1,Add-on,2026-01-01,,5\n"
        "S-3,AC-1,Seats,2026-03-01,2026-03-01,1\n",
    )
    outcome = run_import("subscriptions", path, end_dates=convention)
    assert outcome.errors.total == 0 and outcome.created == 3
    assert _stored() == ends


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "S-1,AC-1,Core,2026-02-01,2026-01-31,10",
            "row 2, column end_date, value '2026-01-31': before start_date",
        ),
        (
            "S-1,AC-1,Core,2026-01-01,,-10",
            "row 2, column mrr, value '-10': money cannot be negative",
        ),
        ("S-1,AC-404,Core,2026-01-01,,10", "row 2, column account_external_id, value 'AC-404'"),
    ],
)
def test_bad_subscriptions_are_refused_naming_row_and_column(
    account, write_file, run_import, row, message
):
    outcome = run_import("subscriptions", write_file("s.csv", f"{HEADER}\n{row}\n"))
    assert outcome.errors.total == 1
    assert str(outcome.errors.items[0]).startswith(message)
    assert _stored() == {}


def test_a_subscriptions_import_refreshes_the_churned_accounts(account, write_file, run_import):
    path = write_file("s.csv", f"{HEADER}\nS-1,AC-1,Core,2020-01-01,2021-01-01,10\n")
    assert run_import("subscriptions", path).created == 1
    assert db.session.scalar(select(ChurnedAccount.account_id)) == account.id
