"""Build explanation strings column-wise, rendering each distinct case once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

_INT64_ROOM = 2**62
_CENTS = np.array([f".{cents:02d}" for cents in range(100)], dtype=object)
_TENTHS = np.array([f".{tenth}" for tenth in range(10)], dtype=object)


def group_codes(keys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Return a group code per row and one representative row per group.

    Each key is an array of non-negative integer codes; rows with equal codes
    in every key share a group.
    """
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    room = 1
    for key in keys:
        cardinality = int(key.max(initial=0)) + 1
        if room * cardinality >= _INT64_ROOM:
            # Re-number densely before the mixed-radix product could overflow.
            combined, uniques = pd.factorize(combined)
            room = len(uniques)
        combined = combined * cardinality + key
        room *= cardinality
    codes, uniques = pd.factorize(combined)
    representative = np.empty(len(uniques), dtype=np.intp)
    # Any row of a group represents it, so the write order does not matter.
    representative[codes] = np.arange(len(codes))
    return codes, representative


def render_grouped(
    keys: Sequence[np.ndarray], render: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Render one string per distinct key combination and spread it to all rows."""
    if len(keys[0]) == 0:
        return np.array([], dtype=object)
    codes, representative = group_codes(keys)
    return np.asarray(render(representative), dtype=object)[codes]


def value_codes(values: np.ndarray) -> np.ndarray:
    """Return dense integer codes for values (missing values get a code too)."""
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False)


def join(*parts: np.ndarray | str) -> np.ndarray:
    """Concatenate string pieces element-wise into an object array."""
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        out = out + (part if isinstance(part, str) else np.asarray(part, dtype=object))
    return out


def format_amount(values: np.ndarray, missing: str = "n/a") -> np.ndarray:
    """Format amounts with thousands separators, cents only when present: 312,000.5."""
    return _format_fixed(values, 100, _CENTS, missing)


def format_decimal(values: np.ndarray, missing: str = "n/a") -> np.ndarray:
    """Format numbers to one decimal, dropping a zero decimal: 72, 66.6, 1,250."""
    return _format_fixed(values, 10, _TENTHS, missing)


def _format_fixed(
    values: np.ndarray, scale: int, fractions: np.ndarray, missing: str
) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    absent = ~np.isfinite(values)
    units = np.rint(np.abs(np.where(absent, 0.0, values)) * scale).astype(np.int64)
    digits = _thousands_bytes(units // scale)
    signed = np.where((values < 0) & (units > 0), np.char.add(b"-", digits), digits)
    text = np.array(signed.astype(str).tolist(), dtype=object)
    fraction = units % scale
    # Show the fraction only when there is one, so a boundary never looks
    # crossed by rounding (49,999.60 is not shown as 50,000).
    partial = fraction > 0
    text[partial] = join(text[partial], fractions[fraction[partial]])
    text[absent] = missing
    return text


def _thousands_bytes(whole: np.ndarray) -> np.ndarray:
    # Lay digits out in a space-padded byte matrix right to left, then view the
    # rows as strings: far cheaper than formatting each number through Python.
    width = 26
    matrix = np.full((len(whole), width), ord(" "), dtype=np.uint8)
    rest = whole.copy()
    column = width - 1
    for position in range(19):
        if position and not rest.any():
            break
        if position and position % 3 == 0:
            matrix[:, column] = np.where(rest > 0, ord(","), ord(" "))
            column -= 1
        digit = (rest % 10).astype(np.uint8) + ord("0")
        matrix[:, column] = np.where((rest > 0) | (position == 0), digit, ord(" "))
        rest //= 10
        column -= 1
    used = np.ascontiguousarray(matrix[:, column + 1 :])
    return np.strings.lstrip(used.view(f"S{used.shape[1]}").ravel())


def to_str_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    """Wrap an object array of strings as a pandas string column."""
    return pd.Series(values, index=index, dtype="str")


def tier_frame(
    accounts: pd.DataFrame,
    tiers: np.ndarray,
    explanation: np.ndarray | None,
    score: np.ndarray | None = None,
) -> pd.DataFrame:
    """Assemble the evaluation result, indexed like the accounts frame.

    Without explanations (None) the frame has no explanation column: a run asks for
    them afterwards, only for the accounts whose tier changes.
    """
    index = accounts.index
    columns = {"account_id": accounts["account_id"], "tier": to_str_series(tiers, index)}
    if explanation is not None:
        columns["explanation"] = to_str_series(explanation, index)
    columns["score"] = np.full(len(index), np.nan) if score is None else score
    return pd.DataFrame(columns, index=index)
