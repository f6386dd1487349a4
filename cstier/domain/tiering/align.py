"""Line up stored tiers with evaluated accounts by account id, cheaply when ids allow it."""

from __future__ import annotations

import numpy as np
import pandas as pd

# A lookup table indexed by id is used while the ids span at most this many slots per id.
_SPAN_PER_ID = 2
_SPAN_SLACK = 1024


def aligned_positions(
    ids: pd.Series | np.ndarray, wanted: pd.Series | np.ndarray
) -> np.ndarray | None:
    """Return where each wanted id sits in `ids` (-1: absent), or None to take the general path.

    Answered quickly for unique integer ids: the same ids in the same order, sorted ids
    (binary search), or ids in a compact range (the usual autoincrement keys) through a
    table indexed by id. Other ids (duplicated, not integers, unsorted and widely spread)
    give None, and the caller aligns them with pandas as before.
    """
    ids, wanted = _integer_ids(ids), _integer_ids(wanted)
    if ids is None or wanted is None:
        return None
    if len(ids) == 0:
        return np.full(len(wanted), -1, dtype=np.intp)
    if _increasing(ids):
        if len(ids) == len(wanted) and np.array_equal(ids, wanted):
            return np.arange(len(ids), dtype=np.intp)
        # Sorted unique ids (the book's order): a binary search per wanted id.
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        return np.where(ids[at] == wanted, at, -1).astype(np.intp, copy=False)
    low, high = int(ids.min()), int(ids.max())
    if high - low >= _SPAN_PER_ID * (len(ids) + len(wanted)) + _SPAN_SLACK:
        return None
    lookup = np.full(high - low + 1, -1, dtype=np.intp)
    slots = ids - low
    lookup[slots] = np.arange(len(ids), dtype=np.intp)
    if len(ids) > 1 and not np.array_equal(lookup[slots], np.arange(len(ids))):
        return None  # a repeated id: the general path decides what that means
    inside = (wanted >= low) & (wanted <= high)
    positions = np.full(len(wanted), -1, dtype=np.intp)
    positions[inside] = lookup[wanted[inside] - low]
    return positions


def row_positions(ids: pd.Series | np.ndarray, wanted: pd.Series | np.ndarray) -> np.ndarray:
    """Return the position in unique `ids` of each wanted id, -1 where absent."""
    positions = aligned_positions(ids, wanted)
    if positions is None:
        return pd.Index(ids).get_indexer(wanted)
    return positions


def tiers_at(tiers: pd.Series, positions: np.ndarray) -> np.ndarray:
    """Return the tiers at `positions` as an object array, NaN where the position is -1.

    Matches `reindex(...).to_numpy(object)` on the tier column, but a categorical column is
    read through its codes instead of one object per row.
    """
    found = positions >= 0
    if isinstance(tiers.dtype, pd.CategoricalDtype):
        names = np.append(tiers.cat.categories.to_numpy(object), np.nan)
        codes = tiers.cat.codes.to_numpy()
        at = np.full(len(positions), -1, dtype=np.intp)
        at[found] = codes[positions[found]]
        return names[at]
    values = tiers.to_numpy(object)
    out = np.full(len(positions), np.nan, dtype=object)
    out[found] = values[positions[found]]
    return out


def _integer_ids(ids: pd.Series | np.ndarray) -> np.ndarray | None:
    values = np.asarray(ids)
    if values.dtype.kind not in "iu" or not np.can_cast(values.dtype, np.int64):
        return None
    return values.astype(np.int64, copy=False)


def _increasing(ids: np.ndarray) -> bool:
    return bool((ids[1:] > ids[:-1]).all())
