"""Integer reads: subscriptions and tier history read back as integer columns, in ranges of any size."""

from datetime import date, datetime

import numpy as np
import pytest
from sqlalchemy import select

from cstier.domain.metrics.book import OPEN_END
from cstier.domain.metrics.periods import day_number
from cstier.models import Account, Subscription, TierChange
from cstier.store.integer_reads import UnreadableIntegers, read_integers
from cstier.store.metric_reads import read_subscription_days, read_tier_history
from tests.factories import AccountFactory, CompanyFactory

ROWS = [
    ("2025-01-01", None, 100_00),
    ("2025-03-15", "2026-01-01", 0),
    ("1999-12-31", "2000-01-01", 2**40),
    ("2026-02-01", "2026-02-01", 7),
]


@pytest.fixture
def accounts(db_session) -> list[int]:
    company = CompanyFactory()
    made = [AccountFactory(company=company) for _ in range(3)]
    db_session.flush()
    return [a.id for a in made]


def _subscribe(db_session, accounts: list[int]) -> list[tuple[int, int, int, int]]:
    expected = []
    for n, (start, end, mrr) in enumerate(ROWS):
        account_id = accounts[n % len(accounts)]
        db_session.add(
            Subscription(
                external_id=f"S-{n}",
                account_id=account_id,
                product="Core",
                start_date=date.fromisoformat(start),
                end_date=date.fromisoformat(end) if end else None,
                mrr_cents=mrr,
            )
        )
        end_day = day_number(date.fromisoformat(end)) if end else OPEN_END
        expected.append((account_id, day_number(date.fromisoformat(start)), end_day, mrr))
    db_session.flush()
    return expected


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 250_000])
def test_subscriptions_read_back_as_day_numbers_over_any_range_size(
    db_session, accounts, chunk_rows
):
    expected = _subscribe(db_session, accounts)
    stmt = select(Subscription.id, Subscription.account_id, Subscription.mrr_cents)
    columns = read_integers(db_session, stmt, ["id", "account_id", "mrr"], chunk_rows=chunk_rows)
    order = np.argsort(columns["id"])
    assert columns["mrr"][order].tolist() == [row[3] for row in expected]
    frame = read_subscription_days(db_session)
    got = sorted(frame.itertuples(index=False, name=None))
    assert got == sorted(expected)
    assert list(frame.columns) == ["account_id", "start_day", "end_day", "mrr_cents"]


def test_an_empty_table_reads_as_empty_columns(db_session):
    frame = read_subscription_days(db_session)
    assert len(frame) == 0 and list(frame.dtypes) == [np.int64] * 4


def test_a_null_in_an_integer_column_is_refused(db_session, accounts):
    _subscribe(db_session, accounts)
    stmt = select(Subscription.id, Subscription.end_date.is_(None).cast(Account.id.type))
    assert read_integers(db_session, stmt, ["id", "flag"])["flag"].sum() == 1
    with_null = select(Subscription.id, Account.arr_cents).outerjoin(
        Account, (Account.id == Subscription.account_id) & (Subscription.end_date.is_(None))
    )
    with pytest.raises(UnreadableIntegers, match="NULL"):
        read_integers(db_session, with_null, ["id", "arr"])


def test_tier_history_reads_each_tier_of_its_scheme_as_a_category(db_session, accounts):
    moves = [(1, "Gold"), (1, " Silver "), (2, "Gold"), (1, "Bronze")]
    for n, (scheme_id, tier) in enumerate(moves):
        db_session.add(
            TierChange(
                account_id=accounts[n % len(accounts)],
                scheme_id=scheme_id,
                dimension="value",
                from_tier=None,
                to_tier=tier,
                at=datetime(2026, 1, 1 + n, 6, 30),
                reason="rule",
            )
        )
    db_session.flush()
    history = read_tier_history(db_session, 1)
    assert history["label"].tolist() == ["Gold", " Silver ", "Bronze"]
    assert history["account_id"].tolist() == [accounts[0], accounts[1], accounts[0]]
    first = int(datetime(2026, 1, 1, 6, 30).timestamp() - datetime(1970, 1, 1).timestamp())
    assert history["at_seconds"].tolist() == [first, first + 86_400, first + 3 * 86_400]
    assert read_tier_history(db_session, 99).empty
