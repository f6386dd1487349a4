"""Retention over periods: cohort, churn, the MRR bridge, per segment (docs/metrics.md).

Everything is a column operation over the subscriptions: an account's MRR on a day is a
bincount of the subscriptions running that day, and segment sums are bincounts by code.
"""

from typing import Protocol

import numpy as np
import pandas as pd

from cstier.domain.metrics.book import SubscriptionBook
from cstier.domain.metrics.periods import Period, day_number

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


class BridgeMismatch(ArithmeticError):
    """The MRR bridge did not reconcile to the cent: a figure would be wrong, so none is shown."""


class Segments(Protocol):
    """Segment names, and each book account's segment code on a day."""

    names: list[str]

    def codes_on(self, day: int) -> np.ndarray: ...


def _snapshot(book: SubscriptionBook, day: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each account's MRR on `day` and whether it has a subscription running then."""
    running = (book.start <= day) & (book.end > day)
    accounts = book.account[running]
    mrr = np.bincount(accounts, weights=book.mrr_cents[running], minlength=book.size)
    active = np.bincount(accounts, minlength=book.size) > 0
    return np.rint(mrr).astype(np.int64), active


def _had_before(book: SubscriptionBook, day: int) -> np.ndarray:
    """Return whether each account had a subscription start before `day`."""
    return np.bincount(book.account[book.start < day], minlength=book.size) > 0


def _passing(book: SubscriptionBook, start: int, end: int) -> np.ndarray:
    """Return whether each account ran on some day strictly between the two snapshots."""
    between = (book.start < end) & (book.end > start + 1)
    return np.bincount(book.account[between], minlength=book.size) > 0


def period_figures(book: SubscriptionBook, period: Period, segments: Segments) -> pd.DataFrame:
    """Return one row of FIGURES per segment with an account in the period, reconciled."""
    start, end = day_number(period.start), day_number(period.end)
    mrr_start, active_start = _snapshot(book, start)
    mrr_end, active_end = _snapshot(book, end)
    arriving = active_end & ~active_start
    reactivated = arriving & _had_before(book, start)
    new = arriving & ~reactivated
    churned = active_start & ~active_end
    retained = active_start & active_end
    passing = _passing(book, start, end) & ~active_start & ~active_end
    change = np.where(retained, mrr_end - mrr_start, 0)
    # Cohort accounts stay in their start segment; arrivals count where they are at the end.
    segment = np.where(arriving, segments.codes_on(end), segments.codes_on(start))
    size = len(segments.names)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(segment, weights=values, minlength=size).round().astype(np.int64)

    figures = pd.DataFrame(
        {
            "segment": segments.names,
            "accounts_start": total(active_start),
            "accounts_churned": total(churned),
            "accounts_new": total(new),
            "accounts_reactivated": total(reactivated),
            "accounts_passing": total(passing),
            "mrr_start_cents": total(np.where(active_start, mrr_start, 0)),
            "mrr_end_cents": total(np.where(retained, mrr_end, 0)),
            "churned_cents": total(np.where(churned, mrr_start, 0)),
            "contraction_cents": total(np.maximum(-change, 0)),
            "expansion_cents": total(np.maximum(change, 0)),
            "new_cents": total(np.where(new, mrr_end, 0)),
            "reactivation_cents": total(np.where(reactivated, mrr_end, 0)),
        }
    )
    closing = total(np.where(active_end, mrr_end, 0))
    check_bridge(figures, closing, period)
    counted = figures[list(FIGURES[:5])].sum(axis=1) > 0
    return figures[counted].reset_index(drop=True)


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
    parts = []
    for period in periods:
        figures = period_figures(book, period, segments)
        figures.insert(0, "period_end", period.end)
        figures.insert(0, "period_start", period.start)
        parts.append(figures)
    if not parts:
        return pd.DataFrame(columns=["period_start", "period_end", "segment", *FIGURES])
    return pd.concat(parts, ignore_index=True)
