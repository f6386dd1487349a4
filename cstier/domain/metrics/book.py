"""The subscriptions as the engine reads them: one row each, dates as day numbers."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

OPEN_END = np.iinfo(np.int64).max  # a subscription without an end date runs on


class InvalidSubscriptions(ValueError):
    """The subscriptions read cannot be measured (an end before a start, a negative MRR)."""


@dataclass(frozen=True)
class SubscriptionBook:
    """Each running-at-least-a-day subscription's account position, start, end and MRR.

    `accounts` lists the account ids in position order; a subscription whose end date equals
    its start date never runs and is left out.
    """

    accounts: np.ndarray
    account: np.ndarray
    start: np.ndarray
    end: np.ndarray
    mrr_cents: np.ndarray

    @property
    def size(self) -> int:
        """Return how many accounts have a subscription."""
        return len(self.accounts)


def subscription_book(
    account_id: np.ndarray, start_day: np.ndarray, end_day: np.ndarray, mrr_cents: np.ndarray
) -> SubscriptionBook:
    """Build the book from columns; an empty end day is NaN or OPEN_END, days since 1970."""
    if np.issubdtype(np.asarray(end_day).dtype, np.integer):
        end = np.asarray(end_day, dtype=np.int64)
    else:
        given = np.asarray(end_day, dtype=float)
        open_ended = np.isnan(given)
        end = np.where(open_ended, 0, given).astype(np.int64)
        end[open_ended] = OPEN_END
    start = np.asarray(start_day, dtype=np.int64)
    mrr = np.asarray(mrr_cents, dtype=np.int64)
    if (end < start).any():
        raise InvalidSubscriptions("end_date: a subscription ends before it starts")
    if (mrr < 0).any():
        raise InvalidSubscriptions("mrr: a subscription has a negative MRR")
    runs = end > start
    position, accounts = _positions(np.asarray(account_id, dtype=np.int64)[runs])
    return SubscriptionBook(
        accounts=accounts,
        account=position,
        start=start[runs],
        end=end[runs],
        mrr_cents=mrr[runs],
    )


def _positions(account_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each subscription's account position and the sorted distinct account ids."""
    if not len(account_id):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low, high = int(account_id.min()), int(account_id.max())
    if low < 0 or high > 4 * len(account_id) + 1024:
        position, accounts = pd.factorize(account_id, sort=True)
        return position.astype(np.int64), np.asarray(accounts, dtype=np.int64)
    # Ids are dense in practice: marking them in a table is linear, where factorizing hashes.
    present = np.zeros(high + 1, dtype=bool)
    present[account_id] = True
    rank = np.cumsum(present) - 1
    return rank[account_id], np.flatnonzero(present).astype(np.int64)


def frame_book(frame: pd.DataFrame) -> SubscriptionBook:
    """Build the book from a frame of account_id, start_day, end_day, mrr_cents."""
    return subscription_book(
        frame["account_id"].to_numpy(),
        frame["start_day"].to_numpy(),
        frame["end_day"].to_numpy(),
        frame["mrr_cents"].to_numpy(),
    )
