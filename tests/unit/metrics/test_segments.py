"""Splits as of the period start: history segments, current fields, "(none)", arrivals at the end."""

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from cstier.domain.metrics import (
    churn_report,
    fixed_segments,
    one_segment,
    retention,
    segment_history,
)
from cstier.domain.metrics.periods import month
from tests.unit.metrics.books import book

JAN, FEB = month(date(2026, 1, 1)), month(date(2026, 2, 1))


def seconds(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def by_segment(figures: pd.DataFrame, period) -> dict[str, dict]:
    rows = figures[figures["period_start"] == period.start]
    return {r["segment"]: r for r in churn_report(rows)["segments"]}


def test_an_account_moving_segment_inside_a_period_stays_in_its_start_segment():
    subscriptions = book((1, "2025-01-01", "2026-02-10", 100_00), (2, "2025-01-01", None, 50_00))
    tiers = segment_history(
        subscriptions,
        np.array([1, 1, 2]),
        np.array(
            [
                seconds("2025-01-01T09:00"),
                seconds("2026-01-15T10:00"),
                seconds("2026-01-01T00:00"),  # at 00:00 of 1 January: not before it
            ]
        ),
        pd.Series(["Gold", "Silver", "Gold"]),
    )
    figures = retention(subscriptions, [JAN, FEB], tiers)
    jan = by_segment(figures, JAN)
    assert set(jan) == {"Gold", "(none)"}
    assert jan["Gold"]["accounts_start"] == 1 and jan["(none)"]["accounts_start"] == 1
    feb = by_segment(figures, FEB)
    assert feb["Silver"]["accounts_churned"] == 1 and feb["Gold"]["accounts_start"] == 1


def test_segments_sum_to_the_total_with_empty_fields_in_none():
    subscriptions = book(
        (1, "2025-01-01", "2026-01-10", 100_00),
        (2, "2025-01-01", None, 50_00),
        (3, "2025-01-01", None, 20_00),
        (4, "2026-01-05", None, 30_00),
    )
    plans = fixed_segments(subscriptions, np.array([1, 2, 3]), pd.Series(["Pro", "Pro", " "]))
    figures = retention(subscriptions, [JAN], plans)
    split = churn_report(figures)
    whole = churn_report(retention(subscriptions, [JAN], one_segment(subscriptions)))["total"]
    assert split["total"] == whole
    assert [s["segment"] for s in split["segments"]] == ["Pro", "(none)"]
    assert split["segments"][1]["bridge"]["new"] == 30_00  # account 4: no plan, so "(none)"


def test_new_and_reactivated_accounts_count_in_their_end_day_segment():
    subscriptions = book(
        (1, "2025-01-01", "2025-06-01", 10_00),
        (1, "2026-01-20", None, 10_00),
        (2, "2026-01-20", None, 20_00),
    )
    tiers = segment_history(
        subscriptions,
        np.array([1, 2, 1]),
        np.array(
            [seconds("2025-01-01T00:00"), seconds("2026-01-25T00:00"), seconds("2026-01-30T08:00")]
        ),
        pd.Series(["Gold", "Bronze", "Silver"]),
    )
    jan = by_segment(retention(subscriptions, [JAN], tiers), JAN)
    assert jan["Silver"]["bridge"]["reactivation"] == 10_00
    assert jan["Bronze"]["bridge"]["new"] == 20_00
    assert "Gold" not in jan
