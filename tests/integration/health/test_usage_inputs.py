"""The usage inputs of the health score: the latest figure before the day and its trend."""

from datetime import date

import pandas as pd
import pytest

from cstier.extensions import db
from cstier.services.account_health.inputs import usage_inputs
from tests.factories import AccountFactory, UsageMetricFactory

DAY = date(2026, 6, 15)


def test_latest_value_and_trend_against_up_to_three_periods_before(db_session):
    steady, growing, single, none_before = (AccountFactory() for _ in range(4))
    figures = {
        steady: {1: 50.0, 2: 10.0, 3: 10.0, 4: 10.0, 5: 10.0},  # January is a 4th period back
        growing: {3: 10.0, 4: 20.0, 5: 30.0, 6: 60.0},  # June 1st is before the 15th
        single: {5: 40.0},
        none_before: {7: 99.0},  # after the day: not known yet
    }
    for account, by_month in figures.items():
        for month, value in by_month.items():
            UsageMetricFactory(account_id=account.id, metric="weekly_active_users",
                               period_start=date(2026, month, 1), value=value)  # fmt: skip
    UsageMetricFactory(account_id=steady.id, metric="support_tickets",
                       period_start=date(2026, 5, 1), value=1000.0)  # fmt: skip
    UsageMetricFactory(account_id=single.id, metric="weekly_active_users",
                       period_start=date(2025, 11, 1), value=1.0)  # fmt: skip  # past the lookback
    db.session.commit()
    index = pd.Index([steady.id, growing.id, single.id, none_before.id])
    out = usage_inputs(db.session, "weekly_active_users", DAY, index)
    latest, trend = out["usage.weekly_active_users"], out["usage.weekly_active_users.trend"]
    assert latest[steady.id] == 10.0 and trend[steady.id] == pytest.approx(0.0)
    assert latest[growing.id] == 60.0 and trend[growing.id] == pytest.approx(200.0)  # vs 20
    assert latest[single.id] == 40.0 and pd.isna(trend[single.id])
    assert pd.isna(latest[none_before.id]) and pd.isna(trend[none_before.id])
