"""Each account's running subscriptions and MRR on every snapshot day of a list of periods at once.

A subscription runs on d when start ≤ d < end, so over the sorted snapshot days it runs on a
run of consecutive days: from the first day ≥ its start to the last day < its end. Adding its
MRR on the first of those days and taking it off on the day after the last, then summing the
days in order, gives every account's MRR on every day in one pass over the subscriptions.
"""

from dataclasses import dataclass

import numpy as np

from cstier.domain.metrics.book import SubscriptionBook


@dataclass(frozen=True)
class Snapshots:
    """Per snapshot day (rows, in `days` order) and book account (columns): MRR and activity.

    `mrr` holds whole cents as floats (exact below 2**53), the unit bincount sums in.
    """

    days: np.ndarray
    mrr: np.ndarray
    active: np.ndarray
    first_start: np.ndarray

    def row(self, day: int) -> int:
        """Return the row of snapshot day `day`."""
        return int(np.searchsorted(self.days, day))


def _day_rows(book: SubscriptionBook, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each subscription's first snapshot row running and the row after its last."""
    return np.searchsorted(days, book.start), np.searchsorted(days, book.end)


def snapshots(book: SubscriptionBook, days: np.ndarray) -> Snapshots:
    """Return the book's MRR and activity on each of the sorted, distinct `days`."""
    size, width = book.size, len(days)
    first, after = _day_rows(book, days)
    runs = first < after
    closes = runs & (after < width)  # a run that reaches past the last day never comes off
    cells = np.concatenate(
        [first[runs] * size + book.account[runs], after[closes] * size + book.account[closes]]
    )
    cells_mrr = book.mrr_cents.astype(float)
    weights = np.concatenate([cells_mrr[runs], -cells_mrr[closes]])
    mrr = np.bincount(cells, weights, width * size).reshape(width, size)
    np.cumsum(mrr, axis=0, out=mrr)
    signs = np.concatenate([np.ones(runs.sum()), -np.ones(closes.sum())])
    running = np.bincount(cells, signs, width * size).reshape(width, size)
    np.cumsum(running, axis=0, out=running)
    first_start = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_start, book.account, book.start)
    return Snapshots(days, mrr, running > 0, first_start)
