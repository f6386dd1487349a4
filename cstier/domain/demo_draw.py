"""Draw demo-book columns for all rows at once: picks by share, categories, ids, days."""

import numpy as np
import pandas as pd


def pick(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """Draw `size` indexes into `shares` with the given (normalised) probabilities."""
    p = np.fromiter(shares.values(), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def category(codes: np.ndarray, categories) -> pd.Categorical:
    """Return a categorical column from integer codes."""
    return pd.Categorical.from_codes(codes, categories=list(categories))


def text_column(values: np.ndarray) -> pd.Series:
    """Keep Python strings as an object column (inferring a string dtype is slow at book scale)."""
    return pd.Series(values, dtype=object, copy=False)


def external_ids(prefix: str, ids: np.ndarray) -> pd.Series:
    """Return external ids like `demo-co-000042`, built from digit code points (no formatting)."""
    width = max(6, len(str(int(ids.max())))) if len(ids) else 6
    codes = np.empty((len(ids), len(prefix) + width), dtype=np.uint32)
    codes[:, : len(prefix)] = [ord(c) for c in prefix]
    rest = ids.astype(np.uint32)
    for column in range(codes.shape[1] - 1, len(prefix) - 1, -1):
        rest, digit = np.divmod(rest, 10)
        codes[:, column] = digit + ord("0")
    return text_column(codes.view(f"<U{codes.shape[1]}").ravel().astype(object))


def rank_within(group_sizes: np.ndarray) -> np.ndarray:
    """Return 0..size-1 for every member of consecutive groups of the given sizes."""
    starts = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return np.arange(group_sizes.sum()) - starts


def window_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Draw one day in [low, high) per row (datetime64[D] bounds, high > low)."""
    span = np.maximum((high - low).astype(np.int64), 1)
    return low + (rng.random(len(low)) * span).astype(np.int64).astype("m8[D]")
