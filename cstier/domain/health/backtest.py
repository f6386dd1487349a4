"""Does the score predict churn? Churn by band in the following period, and the AUC."""

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

MIN_PERIODS = 2
BAND_ORDER = ("red", "yellow", "green", "insufficient")


def active_accounts(subscriptions: pd.DataFrame, on: date) -> np.ndarray:
    """Return the ids of accounts with a subscription running on the day.

    Running on d: start_date <= d and (no end_date or end_date > d); the end date is the
    first day it no longer runs.
    """
    day = pd.Timestamp(on)
    start = pd.to_datetime(subscriptions["start_date"])
    end = pd.to_datetime(subscriptions["end_date"])
    running = (start <= day) & (end.isna() | (end > day))
    return np.unique(subscriptions.loc[running, "account_id"].to_numpy())


def _month(day: pd.Series) -> pd.Series:
    return pd.to_datetime(day).dt.to_period("M")


def churn_outcomes(scores: pd.DataFrame, subscriptions: pd.DataFrame, today: date) -> pd.DataFrame:
    """Return one row per account and scored month whose following month has ended.

    Each month's snapshot is the account's last score in it; the account counts when it runs
    on the 1st of the next month and churned when it no longer runs on the 1st after that.
    """
    if scores.empty:
        return scores.assign(period=[], churned=[])
    frame = scores.assign(period=_month(scores["scored_on"])).sort_values("scored_on")
    snapshot = frame.drop_duplicates(["account_id", "period"], keep="last")
    parts = []
    for period in sorted(snapshot["period"].unique()):
        opens = (period + 1).to_timestamp().date()
        closes = (period + 2).to_timestamp().date()
        if closes > today:
            continue
        rows = snapshot[snapshot["period"] == period]
        rows = rows[rows["account_id"].isin(active_accounts(subscriptions, opens))]
        gone = ~rows["account_id"].isin(active_accounts(subscriptions, closes))
        parts.append(rows.assign(churned=gone.to_numpy()))
    if not parts:
        return snapshot.iloc[0:0].assign(churned=[])
    return pd.concat(parts, ignore_index=True)


def auc(score: pd.Series, churned: pd.Series) -> float | None:
    """Return the chance a churned account scored below a retained one (ties count half)."""
    valid = score.notna()
    s, y = score[valid].to_numpy(), churned[valid].to_numpy(dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    ranks = pd.Series(-s).rank().to_numpy()  # average ranks; a low score ranks high for churn
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass
class BacktestRow:
    """One segment's back-test: accounts and churn per band, and the AUC."""

    segment: str
    accounts: int
    churned: int
    bands: dict[str, tuple[int, int, float | None]] = field(default_factory=dict)
    auc: float | None = None


def backtest(outcomes: pd.DataFrame, segment: str | None = None) -> list[BacktestRow]:
    """Return the total row, then one per segment value of the given column."""
    groups = [("All accounts", outcomes)]
    if segment:
        groups += [
            (str(k), g)
            for k, g in outcomes.groupby(
                outcomes[segment].astype(object).fillna("(none)"), sort=True
            )
        ]
    rows = []
    for name, group in groups:
        by_band = group.groupby("band")["churned"].agg(["size", "sum"])
        bands = {
            b: (
                int(by_band.loc[b, "size"]),
                int(by_band.loc[b, "sum"]),
                float(by_band.loc[b, "sum"] / by_band.loc[b, "size"]),
            )
            for b in BAND_ORDER
            if b in by_band.index
        }
        rows.append(
            BacktestRow(
                name,
                len(group),
                int(group["churned"].sum()),
                bands,
                auc(group["score"], group["churned"]),
            )
        )
    return rows


def periods_of(outcomes: pd.DataFrame) -> int:
    """Return how many scored months have a known outcome."""
    return int(outcomes["period"].nunique()) if len(outcomes) else 0
