"""Each account's running subscriptions and MRR on any day, by sweeping the dates forward.

A subscription runs on d when start ≤ d < end, so on d an account's running count (and
MRR) is what started by d minus what ended by d. Sorting starts and ends once and moving a
cursor forward adds only the subscriptions that start or end in between: a year of monthly
snapshots reads each subscription twice, not once per snapshot.
"""

from dataclasses import dataclass

import numpy as np

from cstier.domain.metrics.book import SubscriptionBook


def _day_order(days: np.ndarray) -> np.ndarray:
    """Return the order sorting day numbers, stable; a radix sort when they span < 65,535 days."""
    if not len(days):
        return np.arange(0, dtype=np.intp)
    finite = days[days != np.iinfo(np.int64).max]
    low = int(finite.min()) if len(finite) else 0
    high = int(finite.max()) if len(finite) else 0
    if high - low >= np.iinfo(np.uint16).max - 1:
        return np.argsort(days, kind="stable")
    # Open ends sort last; numpy sorts 16-bit integers stably by radix, in linear time.
    offsets = np.minimum(days - low, high - low + 1).astype(np.uint16)
    return np.argsort(offsets, kind="stable")


class Sweep:
    """Cumulative starts and ends per account up to a day; days are best asked in order."""

    def __init__(self, book: SubscriptionBook):
        self.size = book.size
        self.accounts = book.accounts
        by_start = _day_order(book.start)
        by_end = _day_order(book.end)
        self.start_days = book.start[by_start]
        self.start_accounts = book.account[by_start]
        self.start_mrr = book.mrr_cents[by_start].astype(float)
        self.end_days = book.end[by_end]
        self.end_accounts = book.account[by_end]
        self.end_mrr = book.mrr_cents[by_end].astype(float)
        self.first_start = np.full(self.size, np.iinfo(np.int64).max, dtype=np.int64)
        # Starts sorted ascending: the first write per account, reversed, is its earliest.
        self.first_start[self.start_accounts[::-1]] = self.start_days[::-1]
        self._reset()

    def _reset(self) -> None:
        self.day = np.iinfo(np.int64).min
        self.started = self.ended = 0  # positions reached in the sorted starts and ends
        self.starts = np.zeros(self.size, dtype=np.int64)  # subscriptions started by the day
        self.ends = np.zeros(self.size, dtype=np.int64)  # and ended by it
        self.mrr = np.zeros(self.size, dtype=np.int64)  # MRR running on it

    def at(self, day: int) -> "Snapshot":
        """Return each account's starts, ends and running MRR (cents) as of `day`, as copies."""
        self._advance(day)
        return Snapshot(self.starts.copy(), self.ends.copy(), self.mrr.copy())

    def starts_by(self, day: int) -> np.ndarray:
        """Return each account's subscriptions started by `day` (a copy)."""
        self._advance(day)
        return self.starts.copy()

    def ends_by(self, day: int) -> np.ndarray:
        """Return each account's subscriptions ended by `day` (a copy)."""
        self._advance(day)
        return self.ends.copy()

    def _advance(self, day: int) -> None:
        if day < self.day:
            self._reset()
        started = int(np.searchsorted(self.start_days, day, side="right"))
        ended = int(np.searchsorted(self.end_days, day, side="right"))
        accounts = self.start_accounts[self.started : started]
        if len(accounts):
            self.starts += np.bincount(accounts, minlength=self.size)
            added = np.bincount(accounts, self.start_mrr[self.started : started], self.size)
            self.mrr += np.rint(added).astype(np.int64)
        accounts = self.end_accounts[self.ended : ended]
        if len(accounts):
            self.ends += np.bincount(accounts, minlength=self.size)
            removed = np.bincount(accounts, self.end_mrr[self.ended : ended], self.size)
            self.mrr -= np.rint(removed).astype(np.int64)
        self.day, self.started, self.ended = day, started, ended


@dataclass(frozen=True)
class Snapshot:
    """Per account on one day: subscriptions started and ended by then, and MRR running."""

    starts: np.ndarray
    ends: np.ndarray
    mrr: np.ndarray

    @property
    def active(self) -> np.ndarray:
        """Return whether each account has a subscription running that day."""
        return self.starts > self.ends
