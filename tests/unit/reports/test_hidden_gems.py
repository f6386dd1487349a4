"""Hidden gems chosen by hand: the ARR share, usage growth, needs score share, expansion."""

import pandas as pd
import pytest

from cstier.domain.reports.hidden_gems import (
    GemThresholds,
    bottom_by_arr,
    hidden_gems,
    top_needs,
    usage_ends,
    usage_growth,
)

NO_USAGE = pd.DataFrame(columns=["account_id", "metric", "period_start", "value"])
NO_EXPANSION = pd.DataFrame(columns=["account_id", "mrr_before_cents", "mrr_after_cents"])


def book(n: int = 10) -> pd.DataFrame:
    """Accounts 1..n with ARR 1..n thousand: account k has k × $1,000."""
    return pd.DataFrame(
        {"account_id": range(1, n + 1), "arr_cents": [k * 1_000_00 for k in range(1, n + 1)]}
    )


def usage(rows: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["account_id", "metric", "period_start", "value"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def test_the_bottom_80_percent_by_arr_is_the_eight_smallest_of_ten():
    assert list(book()[bottom_by_arr(book(), 0.8)]["account_id"]) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_accounts_of_equal_arr_are_in_or_out_together():
    tied = pd.DataFrame({"account_id": [1, 2, 3, 4, 5], "arr_cents": [1, 2, 3, 9, 9]})
    assert list(bottom_by_arr(tied, 0.8)) == [True, True, True, False, False]


def test_usage_growth_compares_the_first_and_last_of_the_last_three_periods():
    frame = usage([
        (1, "seats", "2025-09-01", 1.0),  # older than the last three: ignored
        (1, "seats", "2025-10-01", 100.0),
        (1, "seats", "2025-11-01", 90.0),
        (1, "seats", "2025-12-01", 130.0),
        (2, "seats", "2025-11-01", 10.0),  # only two periods: no growth
        (2, "seats", "2025-12-01", 50.0),
        (3, "seats", "2025-10-01", 0.0),  # starts at zero: no growth
        (3, "seats", "2025-11-01", 5.0),
        (3, "seats", "2025-12-01", 9.0),
    ])  # fmt: skip
    growth = usage_growth(usage_ends(frame, 3), 3)
    assert list(growth["account_id"]) == [1]
    assert growth["growth"].iloc[0] == pytest.approx(0.30)


def test_usage_ends_are_the_first_and_last_of_the_last_periods_and_their_count():
    frame = usage([
        (1, "seats", "2025-12-01", 130.0), (1, "seats", "2025-10-01", 100.0),  # any order
        (1, "seats", "2025-11-01", 90.0), (1, "seats", "2025-09-01", 1.0),
        (1, "logins", "2025-12-01", 7.0),
    ])  # fmt: skip
    ends = usage_ends(frame, 3).set_index(["account_id", "metric"])
    assert ends.loc[(1, "seats")].tolist() == [100.0, 130.0, 3]
    logins = ends.loc[(1, "logins")]
    assert pd.isna(logins["first"]) and (logins["last"], logins["count"]) == (7.0, 1)


def test_the_top_10_percent_of_needs_scores_of_ten_accounts_is_the_highest():
    needs = pd.DataFrame({"account_id": range(11), "score": [float(k) for k in range(11)]})
    needs.loc[0, "score"] = float("nan")  # unscored accounts do not count
    assert list(top_needs(needs, 0.10)["account_id"]) == [10]
    assert top_needs(needs.head(10), 0.10).empty  # of nine scored, none is in the top 10 %


def test_each_gem_lists_the_signals_that_make_it_one():
    frame = usage([
        (2, "seats", "2025-10-01", 10.0), (2, "seats", "2025-11-01", 12.0),
        (2, "seats", "2025-12-01", 13.0),  # +30 %: a gem
        (3, "seats", "2025-10-01", 10.0), (3, "seats", "2025-11-01", 12.0),
        (3, "seats", "2025-12-01", 12.9),  # +29 %: not
        (9, "seats", "2025-10-01", 10.0), (9, "seats", "2025-11-01", 20.0),
        (9, "seats", "2025-12-01", 30.0),  # grew, but in the top 20 % by ARR
    ])  # fmt: skip
    needs = pd.DataFrame({"account_id": range(1, 11), "score": [50.0] * 9 + [90.0]})
    needs.loc[4, "score"] = 95.0  # account 5 has the top score
    expansions = pd.DataFrame(
        {"account_id": [2, 6, 7], "mrr_before_cents": [100_00, 0, 300_00],
         "mrr_after_cents": [150_00, 200_00, 300_00]}
    )  # fmt: skip
    gems = hidden_gems(book(), usage_ends(frame, 3), needs, expansions, GemThresholds())
    assert list(gems["account_id"]) == [5, 2]  # largest ARR first
    assert gems.set_index("account_id")["signals"].to_dict() == {
        5: ["needs score 95 in the top 10%"],
        2: ["usage seats up 30% over 3 periods", "expanded in the last 90 days (MRR 100 → 150)"],
    }


def test_thresholds_are_configurable():
    frame = usage([(3, "seats", "2025-11-01", 10.0), (3, "seats", "2025-12-01", 12.0)])
    lenient = GemThresholds(arr_share=1.0, usage_growth=0.2, usage_periods=2)
    gems = hidden_gems(book(), usage_ends(frame, 2), None, NO_EXPANSION, lenient)
    assert gems["signals"].tolist() == [["usage seats up 20% over 2 periods"]]


def test_no_signal_and_no_needs_scheme_mean_no_gems():
    assert hidden_gems(book(), usage_ends(NO_USAGE, 3), None, NO_EXPANSION, GemThresholds()).empty


@pytest.mark.parametrize(
    "given",
    [
        {"arr_share": 0},
        {"arr_share": 1.5},
        {"usage_growth": float("nan")},
        {"usage_growth": float("inf")},
        {"usage_periods": 1},
        {"needs_top_share": 0},
        {"expansion_days": 0},
    ],
)
def test_thresholds_out_of_range_are_refused(given):
    with pytest.raises(ValueError, match="Hidden-gem thresholds"):
        GemThresholds(**given)
