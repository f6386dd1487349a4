"""Retention over periods: cohort, churn, the MRR bridge, per segment (docs/metrics.md).

Everything is a column operation: each account's MRR on every period's start and end day
comes from one pass over the subscriptions (snapshots.py), each account falls in exactly one
category per period (churned, retained flat, contracted or expanded, new, reactivated,
passing, or none), and one bincount by segment and category gives a period's sums.
"""

from collections.abc import Iterator
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from cstier.domain.metrics.book import OPEN_END, SubscriptionBook
from cstier.domain.metrics.periods import Period, day_number
from cstier.domain.metrics.segments import FixedSegments
from cstier.domain.metrics.snapshots import Snapshot, day_snapshots, first_starts

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
    """What every period of a list reads: segment codes per day, first starts, short subscriptions."""

    def __init__(self, book: SubscriptionBook, periods: list[Period], segments: Segments):
        starts = [day_number(p.start) for p in periods]
        ends = [day_number(p.end) for p in periods]
        self.book = book
        self.days = np.unique(np.array(starts + ends, dtype=np.int64))
        self.names = segments.names
        self.codes = segments.codes_on_days(self.days)
        self.first_start = first_starts(book)
        # Only a subscription no longer than a period can run strictly inside it.
        longest = max((e - s for s, e in zip(starts, ends, strict=True)), default=0)
        short = (book.end != OPEN_END) & (book.end - book.start <= longest)
        self.short_account = book.account[short]
        self.short_start, self.short_end = book.start[short], book.end[short]

    def row(self, day: date) -> int:
        """Return the snapshot row of a period's start or end day."""
        return int(np.searchsorted(self.days, day_number(day)))

    def categories(
        self, period: Period, opening: Snapshot, closing: Snapshot
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return each account's category and segment code in the period."""
        start, end = day_number(period.start), day_number(period.end)
        category = opening.active.astype(np.uint8) + 2 * closing.active.astype(np.uint8)
        arriving = closing.active & ~opening.active
        category += 2 * (arriving & (self.first_start < start)).astype(np.uint8)
        change = closing.mrr - opening.mrr
        retained = opening.active & closing.active
        category += 2 * (retained & (change < 0)).astype(np.uint8)
        category += 3 * (retained & (change > 0)).astype(np.uint8)
        # Ran on a day strictly inside without running on either snapshot: inside the period.
        inside = (self.short_start > start) & (self.short_end <= end)
        passing = self.short_account[inside]
        category[passing[category[passing] == NONE]] = PASSING
        # Cohort accounts stay in their start segment; arrivals count where they are at the end.
        at_start, at_end = self.codes[self.row(period.start)], self.codes[self.row(period.end)]
        return category, np.where(arriving, at_end, at_start)

    def snapshots(self, periods: list[Period]) -> Iterator[tuple[Period, Snapshot, Snapshot]]:
        """Yield each period with its two snapshots, as the sweep reaches its end day."""
        ending: dict[int, list[Period]] = {}
        uses: dict[int, int] = {}
        for period in periods:
            start, end = self.row(period.start), self.row(period.end)
            ending.setdefault(end, []).append(period)
            uses[start] = uses.get(start, 0) + 1
            uses[end] = uses.get(end, 0) + 1
        kept: dict[int, Snapshot] = {}
        for row, snapshot in enumerate(day_snapshots(self.book, self.days)):
            kept[row] = snapshot
            for period in ending.get(row, []):
                start = self.row(period.start)
                yield period, kept[start], snapshot
                for used in (start, row):
                    uses[used] -= 1
                    if not uses[used]:
                        del kept[used]  # no period left reads that day


def period_figures(
    accounts: _Book, period: Period, opening: Snapshot, closing: Snapshot
) -> pd.DataFrame:
    """Return one row of FIGURES per segment with an account in the period, reconciled."""
    category, segment = accounts.categories(period, opening, closing)
    key = segment.astype(np.int64) * CATEGORIES + category
    names = accounts.names
    size = len(names) * CATEGORIES

    def sums(weights: np.ndarray | None) -> np.ndarray:
        summed = np.bincount(key, weights, size).reshape(len(names), CATEGORIES)
        return np.rint(summed).astype(np.int64)

    count, at_start, at_end = sums(None), sums(opening.mrr), sums(closing.mrr)
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
    _, opening, closing = next(accounts.snapshots([period]))
    category, codes = accounts.categories(period, opening, closing)
    chosen = np.isin(category, MEMBERS[measure])
    if segment is not None:
        code = segments.names.index(segment) if segment in segments.names else -1
        chosen &= codes == code
    return pd.DataFrame(
        {
            "account_id": book.accounts[chosen],
            "segment": np.asarray(segments.names, dtype=object)[codes[chosen]],
            "mrr_start_cents": np.rint(opening.mrr[chosen]).astype(np.int64),
            "mrr_end_cents": np.rint(closing.mrr[chosen]).astype(np.int64),
        }
    )


def cohort_outcomes(book: SubscriptionBook, period: Period) -> pd.DataFrame:
    """Return the period's cohort (account_id) and whether each account churned in it."""
    whole_book = FixedSegments(["Total"], np.zeros(book.size, dtype=np.int64))
    accounts = _Book(book, [period], whole_book)
    _, opening, closing = next(accounts.snapshots([period]))
    category, _ = accounts.categories(period, opening, closing)
    cohort = opening.active
    return pd.DataFrame(
        {"account_id": book.accounts[cohort], "churned": (category == CHURNED)[cohort]}
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
    found = {}
    for period, opening, closing in accounts.snapshots(ordered):
        figures = period_figures(accounts, period, opening, closing)
        figures.insert(0, "period_end", period.end)
        figures.insert(0, "period_start", period.start)
        found[period] = figures
    return pd.concat([found[period] for period in ordered], ignore_index=True)
