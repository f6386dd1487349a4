"""Hand-computed retention cases: every definition of docs/metrics.md and its edges."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cstier.domain.metrics import (
    BridgeMismatch,
    InvalidPeriod,
    InvalidSubscriptions,
    Period,
    churn_report,
    one_segment,
    retention,
)
from cstier.domain.metrics.periods import month, year
from cstier.domain.metrics.retention import check_bridge, members
from tests.unit.metrics.books import book

JAN = Period(date(2026, 1, 1), date(2026, 2, 1))


def total(subscriptions, period: Period = JAN) -> dict:
    figures = retention(subscriptions, [period], one_segment(subscriptions))
    return churn_report(figures)["total"]


def test_an_account_whose_subscriptions_end_inside_the_period_churns():
    report = total(book((1, "2025-06-01", "2026-01-15", 100_00), (2, "2025-01-01", None, 300_00)))
    assert (report["accounts_start"], report["accounts_churned"]) == (2, 1)
    assert report["logo_churn"] == 0.5
    assert report["churned_mrr_cents"] == 100_00
    assert report["mrr_start_cents"] == 400_00 and report["mrr_end_cents"] == 300_00
    assert report["grr"] == 0.75 and report["nrr"] == 0.75


def test_churn_and_return_in_one_period_is_not_churn():
    report = total(book((1, "2025-06-01", "2026-01-10", 100_00), (1, "2026-01-20", None, 150_00)))
    assert (report["accounts_churned"], report["logo_churn"]) == (0, 0.0)
    assert report["bridge"] == {
        "start": 100_00,
        "new": 0,
        "expansion": 50_00,
        "reactivation": 0,
        "contraction": 0,
        "churned": 0,
        "end": 150_00,
    }
    assert (report["grr"], report["nrr"]) == (1.0, 1.5)


def test_contraction_to_zero_on_one_product_while_another_runs():
    report = total(
        book(
            (1, "2025-01-01", None, 100_00),
            (1, "2025-01-01", "2026-01-15", 50_00),  # second product cancelled
            (2, "2025-01-01", "2026-01-15", 80_00),
            (2, "2026-01-15", None, 0),  # a running subscription at MRR 0 keeps it retained
        )
    )
    assert report["accounts_churned"] == 0
    assert report["contraction_cents"] == 50_00 + 80_00
    assert report["churned_mrr_cents"] == 0
    assert report["grr"] == round(1 - 130 / 230, 6)
    assert report["nrr"] == round(100 / 230, 6)


def test_an_account_starting_on_the_periods_last_day_is_new():
    report = total(book((1, "2026-01-31", None, 70_00), (2, "2026-02-01", None, 30_00)))
    # Both run on 1 February, the closing snapshot: the second starts that very day.
    assert report["accounts_start"] == 0
    assert report["bridge"]["new"] == 100_00 and report["bridge"]["end"] == 100_00


def test_a_subscription_ending_exactly_on_the_period_start_is_not_in_the_cohort():
    report = total(book((1, "2025-01-01", "2026-01-01", 100_00), (1, "2026-01-10", None, 90_00)))
    assert report["accounts_start"] == 0 and report["accounts_churned"] == 0
    assert report["bridge"]["reactivation"] == 90_00 and report["bridge"]["new"] == 0


def test_an_account_active_only_between_the_snapshots_is_in_no_figure_but_counted_apart():
    subscriptions = book(
        (1, "2026-01-05", "2026-01-20", 100_00), (2, "2026-01-31", "2026-02-01", 5)
    )
    figures = retention(subscriptions, [JAN], one_segment(subscriptions))
    assert figures["accounts_passing"].tolist() == [2]
    report = churn_report(figures)["total"]
    assert report["bridge"] == dict.fromkeys(report["bridge"], 0)


def test_new_needs_no_earlier_subscription_and_reactivation_needs_one():
    report = total(
        book(
            (1, "2026-01-10", None, 10_00),  # new
            (2, "2025-03-01", "2025-06-01", 40_00),
            (2, "2026-01-25", None, 20_00),  # back after months away
        )
    )
    assert report["bridge"]["new"] == 10_00 and report["bridge"]["reactivation"] == 20_00
    assert report["bridge"]["end"] == 30_00 and report["mrr_end_cents"] == 0


def test_several_products_per_account_add_up():
    report = total(
        book(
            (1, "2025-01-01", None, 100_00),
            (1, "2025-06-01", None, 25_00),
            (1, "2026-01-20", None, 5_00),  # an add-on: expansion, not new
        )
    )
    assert report["accounts_start"] == 1 and report["mrr_start_cents"] == 125_00
    assert report["bridge"]["expansion"] == 5_00 and report["bridge"]["new"] == 0


def test_an_empty_cohort_has_no_rates():
    report = total(book((1, "2026-01-10", None, 10_00)))
    assert report["accounts_start"] == 0
    assert (report["logo_churn"], report["grr"], report["nrr"]) == (None, None, None)


def test_a_cohort_at_zero_mrr_has_logo_churn_but_no_grr_or_nrr():
    report = total(book((1, "2025-01-01", "2026-01-15", 0), (2, "2025-01-01", None, 0)))
    assert report["logo_churn"] == 0.5
    assert (report["grr"], report["nrr"]) == (None, None)


def test_grr_caps_each_account_at_its_start_mrr():
    report = total(book((1, "2025-01-01", None, 100_00), (1, "2026-01-10", None, 900_00)))
    assert report["grr"] == 1.0 and report["nrr"] == 10.0


def test_a_subscription_ending_on_its_start_day_never_runs():
    report = total(book((1, "2025-12-01", "2025-12-01", 100_00), (1, "2026-01-10", None, 9_00)))
    assert report["bridge"]["new"] == 9_00 and report["bridge"]["reactivation"] == 0


def test_annual_figures_take_the_cohort_of_the_first_day_not_compounded_months():
    subscriptions = book((1, "2025-01-01", "2026-03-10", 100_00), (1, "2026-11-01", None, 100_00))
    months = retention(
        subscriptions, [month(date(2026, m, 1)) for m in range(1, 13)], one_segment(subscriptions)
    )
    assert months["accounts_churned"].sum() == 1  # March
    whole = total(subscriptions, year(date(2026, 1, 1)))
    assert (whole["accounts_churned"], whole["nrr"]) == (0, 1.0)


def test_a_bridge_that_does_not_reconcile_is_an_error():
    figures = pd.DataFrame(
        {
            "segment": ["Total"],
            "mrr_start_cents": [100],
            "new_cents": [0],
            "expansion_cents": [0],
            "reactivation_cents": [0],
            "contraction_cents": [0],
            "churned_cents": [0],
        }
    )
    with pytest.raises(BridgeMismatch, match="does not reconcile"):
        check_bridge(figures, np.array([101]), JAN)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, "2026-01-10", "2026-01-09", 1)], "end_date: a subscription ends before it starts"),
        ([(1, "2026-01-10", None, -1)], "mrr: a subscription has a negative MRR"),
    ],
)
def test_impossible_subscriptions_are_refused(rows, message):
    with pytest.raises(InvalidSubscriptions, match=message):
        book(*rows)


@pytest.mark.parametrize("end", [date(2026, 1, 1), date(2025, 12, 31)])
def test_a_period_must_end_after_it_starts(end):
    with pytest.raises(InvalidPeriod, match="end: the period's end .* is not after its start"):
        Period(date(2026, 1, 1), end)


def test_a_return_after_a_stay_between_two_snapshots_is_a_reactivation():
    subscriptions = book((1, "2026-01-05", "2026-01-20", 10_00), (1, "2026-02-10", None, 20_00))
    feb = month(date(2026, 2, 1))
    figures = retention(subscriptions, [JAN, feb], one_segment(subscriptions))
    assert figures["accounts_passing"].tolist() == [1, 0]
    assert figures["reactivation_cents"].tolist() == [0, 20_00]


def test_overlapping_and_unordered_periods_each_give_their_figures_alone():
    subscriptions = book(
        (1, "2025-01-01", "2026-03-10", 100_00),
        (2, "2025-06-01", None, 40_00),
        (2, "2026-02-01", "2026-05-01", 15_00),
        (3, "2026-04-20", None, 60_00),
    )
    periods = [year(date(2026, 1, 1)), *[month(date(2026, m, 1)) for m in (5, 1, 3, 2, 4)]]
    together = retention(subscriptions, periods, one_segment(subscriptions))
    alone = pd.concat(
        [retention(subscriptions, [p], one_segment(subscriptions)) for p in sorted(periods)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(together, alone)


@pytest.mark.parametrize(
    ("measure", "accounts"),
    [
        ("cohort", [1, 2, 3, 4]),
        ("churned", [1]),
        ("retained", [2, 3, 4]),
        ("contracted", [2]),
        ("expanded", [3]),
        ("new", [5]),
        ("reactivated", [6]),
    ],
)
def test_each_figure_lists_its_accounts(measure, accounts):
    subscriptions = book(
        (1, "2025-01-01", "2026-01-15", 100_00),  # churned
        (2, "2025-01-01", None, 50_00),
        (2, "2025-01-01", "2026-01-20", 10_00),  # contracted
        (3, "2025-01-01", None, 30_00),
        (3, "2026-01-10", None, 5_00),  # expanded
        (4, "2025-01-01", None, 0),  # retained at MRR 0
        (5, "2026-01-31", None, 70_00),  # new
        (6, "2025-01-01", "2025-02-01", 9_00),
        (6, "2026-01-25", None, 8_00),  # reactivated
    )
    found = members(subscriptions, JAN, one_segment(subscriptions), measure, None)
    assert sorted(found["account_id"].tolist()) == accounts
    assert set(found["segment"]) <= {"Total"}
    assert members(subscriptions, JAN, one_segment(subscriptions), measure, "Other").empty
