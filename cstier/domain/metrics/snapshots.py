"""Each account's MRR and activity on each snapshot day of a list of periods, in one pass.

A subscription runs on d when start ≤ d < end, so over the sorted snapshot days it runs on a
run of consecutive days: from the first day ≥ its start to the last day < its end. Its MRR
comes on at the first of those days and off at the day after the last. Sorting those events
by day once, each day adds only its own events to the running totals: the whole list of
periods costs one pass over the subscriptions, and only the days still needed are kept.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from cstier.domain.metrics.book import SubscriptionBook


@dataclass(frozen=True)
class Snapshot:
    """Per book account on one day: MRR running (whole cents, as floats) and whether active."""

    mrr: np.ndarray
    active: np.ndarray


def first_starts(book: SubscriptionBook) -> np.ndarray:
    """Return each account's first start day (a reactivation is an arrival that ran before)."""
    first = np.full(book.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, book.account, book.start)
    return first


def _by_day(rows: np.ndarray, account: np.ndarray, mrr: np.ndarray, days: int):
    """Return the events' accounts and MRR sorted by day row, and where each row's slice starts."""
    order = np.argsort(rows.astype(np.min_scalar_type(days)), kind="stable")  # a radix sort
    bounds = np.searchsorted(rows[order], np.arange(days + 1))
    return account[order], mrr[order], bounds


def day_snapshots(book: SubscriptionBook, days: np.ndarray) -> Iterator[Snapshot]:
    """Yield the snapshot of each of the sorted, distinct `days`, in order."""
    size, width = book.size, len(days)
    first, after = np.searchsorted(days, book.start), np.searchsorted(days, book.end)
    runs = first < after
    closes = runs & (after < width)  # a run reaching past the last day never comes off
    mrr = book.mrr_cents.astype(float)
    on = _by_day(first[runs], book.account[runs], mrr[runs], width)
    off = _by_day(after[closes], book.account[closes], mrr[closes], width)
    running_mrr = np.zeros(size)
    running = np.zeros(size, dtype=np.int64)
    for row in range(width):
        _step(running_mrr, running, on, row, np.add)
        _step(running_mrr, running, off, row, np.subtract)
        yield Snapshot(running_mrr.copy(), running > 0)


def _step(running_mrr: np.ndarray, running: np.ndarray, events, row: int, apply) -> None:
    """Add (or take off) one day's events to each account's running MRR and count."""
    accounts, amounts, bounds = events
    at = slice(bounds[row], bounds[row + 1])
    if at.start < at.stop:
        apply(running_mrr, np.bincount(accounts[at], amounts[at], len(running)), out=running_mrr)
        apply(running, np.bincount(accounts[at], minlength=len(running)), out=running)
