"""Which segment each account of the book is in on a given day.

Tier schemes, coverage model and CSM come from their history: the last change before
00:00 UTC of the day. Other fields are current values, the same on every day. Code 0 is the
"(none)" segment, so the segments always sum to the total.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cstier.domain.metrics.book import SubscriptionBook

NONE = "(none)"
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class FixedSegments:
    """Segments from a current field: the same on every day of every period."""

    names: list[str]
    codes: np.ndarray
    from_history: bool = False

    def codes_on_days(self, days: np.ndarray) -> np.ndarray:
        """Return each book account's segment code (columns) on each of `days` (rows)."""
        return np.broadcast_to(self.codes, (len(days), len(self.codes)))


@dataclass(frozen=True)
class SegmentHistory:
    """Segments from a change history, each change valid from `at` until the next one."""

    names: list[str]
    size: int
    account: np.ndarray  # book position of each change
    at: np.ndarray  # seconds since 1970, UTC
    until: np.ndarray  # the next change's `at` for the same account, or the end of time
    label: np.ndarray  # segment code of each change
    from_history: bool = True

    def codes_on_days(self, days: np.ndarray) -> np.ndarray:
        """Return each account's segment (columns) by its last change before 00:00 UTC of each day.

        `days` are sorted day numbers. A change holds from the first day after it up to the
        day of the next change for the account: it is written on its first day's row only,
        and each row starts as a copy of the row before.
        """
        cutoffs = np.asarray(days, dtype=np.int64) * SECONDS_PER_DAY
        first = np.searchsorted(cutoffs, self.at, side="right")
        last = np.searchsorted(cutoffs, self.until, side="right")
        holds = first < last
        first, account, label = first[holds], self.account[holds], self.label[holds]
        order = np.argsort(first, kind="stable")
        bounds = np.searchsorted(first[order], np.arange(len(days) + 1))
        codes = np.zeros((len(days), self.size), dtype=_code_type(len(self.names)))
        for row in range(len(days)):
            if row:
                codes[row] = codes[row - 1]
            taken = order[bounds[row] : bounds[row + 1]]
            codes[row, account[taken]] = label[taken]
        return codes


def _code_type(count: int) -> np.dtype:
    """Return the smallest integer type that holds `count` segment codes."""
    return np.min_scalar_type(max(count - 1, 0))


def _codes(labels: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Return labels as codes with "(none)" at 0 for empty or missing values."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        # A history's few distinct labels are cleaned once, not once per change.
        names_at, names = _codes(pd.Series(labels.cat.categories, dtype=object))
        codes = labels.cat.codes.to_numpy()
        return np.where(codes >= 0, names_at[codes], 0).astype(np.int64), names
    text = labels.astype("string").str.strip()
    text = text.where(text.notna() & (text != ""), NONE)
    codes, uniques = pd.factorize(text.to_numpy(object), sort=True)
    names = [NONE, *[u for u in uniques if u != NONE]]
    at = pd.Index(names).get_indexer(uniques)
    return at[codes].astype(np.int64), names


def fixed_segments(
    book: SubscriptionBook, account_id: np.ndarray, labels: pd.Series
) -> FixedSegments:
    """Return current-field segments from one label per account id (others are "(none)")."""
    codes, names = _codes(pd.Series(labels).reset_index(drop=True))
    position = pd.Index(book.accounts).get_indexer(np.asarray(account_id, dtype=np.int64))
    found = position >= 0
    out = np.zeros(book.size, dtype=np.int64)
    out[position[found]] = codes[found]
    return FixedSegments(names, out)


def segment_history(
    book: SubscriptionBook, account_id: np.ndarray, at_seconds: np.ndarray, labels: pd.Series
) -> SegmentHistory:
    """Return history segments from change rows (account id, UTC seconds, label taken on)."""
    codes, names = _codes(pd.Series(labels).reset_index(drop=True))
    position = pd.Index(book.accounts).get_indexer(np.asarray(account_id, dtype=np.int64))
    keep = position >= 0
    position, at, codes = position[keep], np.asarray(at_seconds, np.int64)[keep], codes[keep]
    order = np.lexsort((at, position))
    position, at, codes = position[order], at[order], codes[order]
    until = np.full(len(at), np.iinfo(np.int64).max, dtype=np.int64)
    same = position[1:] == position[:-1]
    until[:-1][same] = at[1:][same]
    return SegmentHistory(names, book.size, position, at, until, codes)


def one_segment(book: SubscriptionBook, name: str = "Total") -> FixedSegments:
    """Return the whole book as one segment."""
    return FixedSegments([name], np.zeros(book.size, dtype=np.int64))
