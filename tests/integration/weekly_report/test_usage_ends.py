"""The report's usage ends read in SQL are what the domain takes from the raw figures."""

import random
from datetime import date

import pandas as pd

from cstier.domain.reports.hidden_gems import usage_ends
from cstier.models import UsageMetric
from cstier.services.weekly_report import gems
from tests.factories import AccountFactory

LAST_DAY = date(2026, 1, 31)


def _random_figures(db_session, seed: int) -> pd.DataFrame:
    """Give 30 accounts 0-6 monthly figures of two metrics, some after LAST_DAY; return them."""
    rng = random.Random(seed)
    rows = []
    for account in AccountFactory.create_batch(30):
        for metric in ("seats", "logins"):
            for month in rng.sample(range(1, 9), rng.randint(0, 6)):
                day = date(2025 + (month + 8) // 12, (month + 8) % 12 + 1, 1)
                value = float(rng.choice([0, rng.randint(1, 500)]))
                rows.append((account.id, metric, day, value))
    db_session.add_all(
        UsageMetric(account_id=a, metric=m, period_start=d, value=v) for a, m, d, v in rows
    )
    db_session.commit()
    return pd.DataFrame(rows, columns=["account_id", "metric", "period_start", "value"])


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"metric": str, "count": int, "first": float, "last": float})
    return frame.sort_values(["account_id", "metric"]).reset_index(drop=True)


def test_the_sql_ends_equal_the_domains_for_random_figures(db_session):
    figures = _random_figures(db_session, seed=7)
    for periods in (2, 3, 5):
        raw = figures[figures["period_start"] <= LAST_DAY].assign(
            period_start=lambda f: pd.to_datetime(f["period_start"])
        )
        expected = _sorted(usage_ends(raw, periods))
        for accounts_per_read in (7, 1_000):  # several ranges, each with categories of its own
            read = _sorted(gems.recent_usage(db_session, LAST_DAY, periods, accounts_per_read))
            pd.testing.assert_frame_equal(read, expected, check_dtype=False)


def test_a_book_without_figures_has_no_ends(db_session):
    assert gems.recent_usage(db_session, LAST_DAY, 3).empty
