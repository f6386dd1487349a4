"""Does the score predict churn? Churn by band in the following period, and the AUC."""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from cstier.domain.metrics.book import SubscriptionBook
from cstier.domain.metrics.periods import month
from cstier.domain.metrics.retention import cohort_outcomes

MIN_PERIODS = 2
BAND_ORDER = ("red", "yellow", "green", "insufficient")


def _month(day: pd.Series) -> pd.Series:
    return pd.to_datetime(day).dt.to_period("M")


def churn_outcomes(scores: pd.DataFrame, book: SubscriptionBook, today: date) -> pd.DataFrame:
    """Return one row per account and scored month whose following month has ended.

    Each month's snapshot is the account's last score in it. The outcome is the following
    month's, as the metrics engine counts it: the account is in that month's cohort (active
    on its 1st) and churned when it is no longer active on the 1st after.
    """
    if scores.empty:
        return scores.assign(period=[], churned=[])
    frame = scores.assign(period=_month(scores["scored_on"])).sort_values("scored_on")
    snapshot = frame.drop_duplicates(["account_id", "period"], keep="last")
    parts = []
    for period in sorted(snapshot["period"].unique()):
        following = month((period + 1).to_timestamp().date())
        if following.end > today:
            continue
        rows = snapshot[snapshot["period"] == period]
        parts.append(rows.merge(cohort_outcomes(book, following), on="account_id"))
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
