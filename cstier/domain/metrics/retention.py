"""Retention over periods: cohort, churn, the MRR bridge, per segment (docs/metrics.md).

Everything is a column operation: each account's MRR on every period's start and end day
comes from one pass over the subscriptions (snapshots.py), each account falls in exactly one
category per period (churned, retained flat, contracted or expanded, new, reactivated,
passing, or none), and one bincount by segment and category gives a period's sums.
"""

from typing import Protocol

import numpy as np
import pandas as pd

from cstier.domain.metrics.book import OPEN_END, SubscriptionBook
from cstier.domain.metrics.periods import Period, day_number
from cstier.domain.metrics.snapshots import Snapshots, snapshots

# The sums and counts of one period and segment; rates follow from them (rates.py).
FIGURES = (
    "accounts_start",
    "accounts_churned",
    "accounts_new",
    "accounts_reactivated",
    "accounts_passing",
    "mrr_start_cents",
    "mrr_end_cents",
    "churned_cents",
    "contraction_cents",
    "expansion_cents",
    "new_cents",
    "reactivation_cents",
)

# An account's category in a period: active on the start day (1) plus active on the end day (2),
# then refined: an arrival that had run before is reactivated, a retained account's MRR fell or rose.
NONE, CHURNED, NEW, FLAT, REACTIVATED, CONTRACTED, EXPANDED, PASSING = range(8)
CATEGORIES = 8
COHORT = [CHURNED, FLAT, CONTRACTED, EXPANDED]
RETAINED = [FLAT, CONTRACTED, EXPANDED]
MEMBERS = {
    "cohort": COHORT,
    "churned": [CHURNED],
    "retained": RETAINED,
    "contracted": [CONTRACTED],
    "expanded": [EXPANDED],
    "new": [NEW],
    "reactivated": [REACTIVATED],
}


class BridgeMismatch(ArithmeticError):
    """The MRR bridge did not reconcile to the cent: a figure would be wrong, so none is shown."""


class Segments(Protocol):
    """Segment names, and each book account's segment code on each of a list of days."""

    names: list[str]

    def codes_on_days(self, days: np.ndarray) -> np.ndarray: ...


class _Book:
    """A book's snapshots on every day the periods ask, the segment codes, and what passes inside."""

    def __init__(self, book: SubscriptionBook, periods: list[Period], segments: Segments):
        starts = np.array([day_number(p.start) for p in periods], dtype=np.int64)
        ends = np.array([day_number(p.end) for p in periods], dtype=np.int64)
        self.snapshots: Snapshots = snapshots(book, np.unique(np.concatenate([starts, ends])))
        self.codes = segments.codes_on_days(self.snapshots.days)
        # Only a subscription no longer than a period can run strictly inside it.
        longest = int((ends - starts).max()) if len(periods) else 0
        short = (book.end != OPEN_END) & (book.end - book.start <= longest)
        self.short_account = book.account[short]
        self.short_start, self.short_end = book.start[short], book.end[short]

    def categories(self, period: Period) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Return each account's category and segment code in the period, and the two rows."""
        start, end = day_number(period.start), day_number(period.end)
        snaps = self.snapshots
        opening, closing = snaps.row(start), snaps.row(end)
        active_start, active_end = snaps.active[opening], snaps.active[closing]
        category = active_start.astype(np.uint8) + 2 * active_end.astype(np.uint8)
        arriving = active_end & ~active_start
        category += 2 * (arriving & (snaps.first_start < start)).astype(np.uint8)
        change = snaps.mrr[closing] - snaps.mrr[opening]
        retained = active_start & active_end
        category += 2 * (retained & (change < 0)).astype(np.uint8)
        category += 3 * (retained & (change > 0)).astype(np.uint8)
        # Ran on a day strictly inside without running on either snapshot: inside the period.
        inside = (self.short_start > start) & (self.short_end <= end)
        passing = self.short_account[inside]
        category[passing[category[passing] == NONE]] = PASSING
        # Cohort accounts stay in their start segment; arrivals count where they are at the end.
        segment = np.where(arriving, self.codes[closing], self.codes[opening])
        return category, segment, opening, closing


def period_figures(accounts: _Book, period: Period, names: list[str]) -> pd.DataFrame:
    """Return one row of FIGURES per segment with an account in the period, reconciled."""
    category, segment, opening, closing = accounts.categories(period)
    key = segment.astype(np.int64) * CATEGORIES + category
    size = len(names) * CATEGORIES

    def sums(weights: np.ndarray | None) -> np.ndarray:
        summed = np.bincount(key, weights, size).reshape(len(names), CATEGORIES)
        return np.rint(summed).astype(np.int64)

    count = sums(None)
    at_start = sums(accounts.snapshots.mrr[opening])
    at_end = sums(accounts.snapshots.mrr[closing])
    figures = pd.DataFrame(
        {
            "segment": names,
            "accounts_start": count[:, COHORT].sum(axis=1),
            "accounts_churned": count[:, CHURNED],
            "accounts_new": count[:, NEW],
            "accounts_reactivated": count[:, REACTIVATED],
            "accounts_passing": count[:, PASSING],
            "mrr_start_cents": at_start[:, COHORT].sum(axis=1),
            "mrr_end_cents": at_end[:, RETAINED].sum(axis=1),
            "churned_cents": at_start[:, CHURNED],
            "contraction_cents": at_start[:, CONTRACTED] - at_end[:, CONTRACTED],
            "expansion_cents": at_end[:, EXPANDED] - at_start[:, EXPANDED],
            "new_cents": at_end[:, NEW],
            "reactivation_cents": at_end[:, REACTIVATED],
        }
    )
    closing_mrr = at_end[:, [NEW, REACTIVATED, *RETAINED]].sum(axis=1)
    check_bridge(figures, closing_mrr, period)
    counted = figures[list(FIGURES[:5])].sum(axis=1) > 0
    return figures[counted].reset_index(drop=True)


def members(
    book: SubscriptionBook, period: Period, segments: Segments, measure: str, segment: str | None
) -> pd.DataFrame:
    """Return account_id, segment, mrr_start_cents, mrr_end_cents of the accounts behind a figure."""
    accounts = _Book(book, [period], segments)
    category, codes, opening, closing = accounts.categories(period)
    chosen = np.isin(category, MEMBERS[measure])
    if segment is not None:
        code = segments.names.index(segment) if segment in segments.names else -1
        chosen &= codes == code
    mrr = accounts.snapshots.mrr
    return pd.DataFrame(
        {
            "account_id": book.accounts[chosen],
            "segment": np.asarray(segments.names, dtype=object)[codes[chosen]],
            "mrr_start_cents": np.rint(mrr[opening][chosen]).astype(np.int64),
            "mrr_end_cents": np.rint(mrr[closing][chosen]).astype(np.int64),
        }
    )


def check_bridge(figures: pd.DataFrame, closing: np.ndarray, period: Period) -> None:
    """Raise BridgeMismatch unless start + new + expansion + reactivation − contraction − churned = end."""
    bridged = (
        figures["mrr_start_cents"]
        + figures["new_cents"]
        + figures["expansion_cents"]
        + figures["reactivation_cents"]
        - figures["contraction_cents"]
        - figures["churned_cents"]
    ).to_numpy()
    wrong = bridged != closing
    if wrong.any():
        at = int(np.argmax(wrong))
        raise BridgeMismatch(
            f"the MRR bridge of {period.label}, segment {figures['segment'][at]!r}, does not "
            f"reconcile: {bridged[at]} cents bridged, {closing[at]} cents closing"
        )


def retention(book: SubscriptionBook, periods: list[Period], segments: Segments) -> pd.DataFrame:
    """Return FIGURES per period and segment: period_start, period_end, segment, figures."""
    if not periods:
        return pd.DataFrame(columns=["period_start", "period_end", "segment", *FIGURES])
    ordered = sorted(periods)
    accounts = _Book(book, ordered, segments)
    parts = []
    for period in ordered:
        figures = period_figures(accounts, period, segments.names)
        figures.insert(0, "period_end", period.end)
        figures.insert(0, "period_start", period.start)
        parts.append(figures)
    return pd.concat(parts, ignore_index=True)
