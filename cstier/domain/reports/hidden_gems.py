"""Hidden gems: smaller accounts whose usage, needs or spend says they could be worth more.

An account in the bottom share by ARR is a gem when any signal holds: a usage metric grew
by at least the threshold over its last periods, its needs score is in the top share, or
its subscriptions expanded in the recent window. Each gem lists the signals that make it one.
"""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

GEM_COLUMNS = ["account_id", "arr_cents", "signals"]


@dataclass(frozen=True)
class GemThresholds:
    """What makes a hidden gem; the defaults are the product's."""

    arr_share: float = 0.80  # the bottom 80 % of accounts by ARR
    usage_growth: float = 0.30  # usage up at least 30 %
    usage_periods: int = 3  # over the last three periods reported
    needs_top_share: float = 0.10  # needs score in the top 10 %
    expansion_days: int = 90  # subscriptions expanded within 90 days

    def __post_init__(self) -> None:
        checks = [
            (0 < self.arr_share <= 1, "the ARR share must be above 0 and at most 1"),
            (0 <= self.usage_growth < float("inf"), "the usage growth must be 0 or more"),
            (self.usage_periods >= 2, "usage growth needs at least 2 periods"),
            (0 < self.needs_top_share <= 1, "the needs score share must be above 0 and at most 1"),
            (self.expansion_days >= 1, "the expansion window must be at least 1 day"),
        ]
        for holds, message in checks:
            if not holds:
                raise ValueError(f"Hidden-gem thresholds: {message}.")

    def as_dict(self) -> dict:
        """Return the thresholds as plain values, for the report's content."""
        return asdict(self)


def bottom_by_arr(accounts: pd.DataFrame, share: float) -> pd.Series:
    """Return whether each account is in the bottom share by ARR.

    An account is in it when at most `share` of the accounts have an ARR at or below its
    own, so accounts of equal ARR are in or out together.
    """
    if accounts.empty:
        return pd.Series(dtype=bool)
    rank = accounts["arr_cents"].rank(method="max", pct=True)
    return rank <= share + 1e-12


USAGE_ENDS = ["account_id", "metric", "first", "last", "count"]


def usage_ends(usage: pd.DataFrame, periods: int) -> pd.DataFrame:
    """Return USAGE_ENDS: the first and last value of each account's last periods per metric.

    `usage` has account_id, metric, period_start, value; `count` is how many of the last
    `periods` figures there are, and `first` is empty when there are fewer. The report reads
    these ends from SQL; this is their meaning.
    """
    if usage.empty:
        return pd.DataFrame(columns=USAGE_ENDS)
    latest = (
        usage.sort_values(["account_id", "metric", "period_start"])
        .groupby(["account_id", "metric"], sort=False)
        .tail(periods)
    )
    ends = latest.groupby(["account_id", "metric"]).agg(
        first=("value", "first"), last=("value", "last"), count=("value", "size")
    )
    ends["first"] = ends["first"].where(ends["count"] == periods)
    return ends.reset_index()[USAGE_ENDS]


def usage_growth(ends: pd.DataFrame, periods: int) -> pd.DataFrame:
    """Return account_id, metric, growth: the change from the first to the last of the last periods.

    `ends` is USAGE_ENDS (see usage_ends). A metric with fewer periods, or that starts at zero
    or below, has no growth.
    """
    if ends.empty or periods < 2:
        return pd.DataFrame({"account_id": [], "metric": [], "growth": []})
    full = ends[(ends["count"] == periods) & (ends["first"] > 0)]
    growth = full["last"].to_numpy(float) / full["first"].to_numpy(float) - 1.0
    return pd.DataFrame(
        {"account_id": full["account_id"].to_numpy(), "metric": full["metric"], "growth": growth}
    ).reset_index(drop=True)


def top_needs(needs: pd.DataFrame, share: float) -> pd.DataFrame:
    """Return account_id, score of the accounts whose needs score is in the top share.

    An account is in it when at most `share` of the scored accounts score at or above it.
    """
    scored = needs.dropna(subset=["score"])
    if scored.empty:
        return scored[["account_id", "score"]]
    rank = scored["score"].rank(method="max", ascending=False, pct=True)
    return scored.loc[rank <= share + 1e-12, ["account_id", "score"]]


def hidden_gems(
    accounts: pd.DataFrame,
    usage: pd.DataFrame,
    needs: pd.DataFrame | None,
    expansions: pd.DataFrame,
    thresholds: GemThresholds,
) -> pd.DataFrame:
    """Return the gems (GEM_COLUMNS), largest ARR first, each with the signals that make it one.

    `accounts` holds every account (account_id, arr_cents), as the ARR share counts them all;
    `usage` each account's usage ends per metric (USAGE_ENDS, see usage_ends); `needs` the needs
    scores (account_id, score), or None when no needs score exists; `expansions` the accounts'
    MRR before and after the window (account_id, mrr_before_cents, mrr_after_cents).
    """
    small = accounts.loc[bottom_by_arr(accounts, thresholds.arr_share), ["account_id", "arr_cents"]]
    signals: dict[int, list[str]] = {}

    def add(account_ids: np.ndarray, texts: list[str]) -> None:
        for account_id, text in zip(account_ids, texts, strict=True):
            signals.setdefault(int(account_id), []).append(text)

    grown = usage_growth(usage, thresholds.usage_periods)
    grown = grown[grown["growth"] >= thresholds.usage_growth - 1e-12]
    grown = grown.sort_values(["account_id", "metric"])
    add(
        grown["account_id"].to_numpy(),
        [
            f"usage {metric} up {growth:.0%} over {thresholds.usage_periods} periods"
            for metric, growth in zip(grown["metric"], grown["growth"], strict=True)
        ],
    )
    if needs is not None:
        top = top_needs(needs, thresholds.needs_top_share)
        add(
            top["account_id"].to_numpy(),
            [
                f"needs score {score:g} in the top {thresholds.needs_top_share:.0%}"
                for score in top["score"]
            ],
        )
    expanded = expansions[
        (expansions["mrr_before_cents"] > 0)
        & (expansions["mrr_after_cents"] > expansions["mrr_before_cents"])
    ]
    add(
        expanded["account_id"].to_numpy(),
        [
            f"expanded in the last {thresholds.expansion_days} days "
            f"(MRR {before / 100:,.0f} → {after / 100:,.0f})"
            for before, after in zip(
                expanded["mrr_before_cents"], expanded["mrr_after_cents"], strict=True
            )
        ],
    )
    gems = small[small["account_id"].isin(list(signals))].copy()
    gems["signals"] = [signals[int(i)] for i in gems["account_id"]]
    gems = gems.sort_values(["arr_cents", "account_id"], ascending=[False, True])
    return gems[GEM_COLUMNS].reset_index(drop=True)
