"""Compare incoming rows with the stored ones, column by column, to sort them into created, updated and unchanged."""

import numpy as np
import pandas as pd


def _aligned(column: pd.Series, dtype) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pd.to_datetime(column, errors="coerce").astype(dtype)
    if str(dtype) in ("Int64", "Float64", "boolean"):
        return column.astype(object).where(column.notna(), None).astype(dtype)
    return column.astype(object).where(column.notna(), None)


def changed_cells(incoming: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Return a boolean frame: True where an incoming cell differs from the stored one.

    Stored values come as the database returned them (text dates, plain integers); each
    column is compared on NumPy arrays when its types allow, else after aligning the types.
    """
    out = {}
    for name in incoming.columns:
        new = incoming[name]
        old = current[name] if name in current else pd.Series(None, index=current.index)
        same = _same(new, old)
        if same is None:
            old = _aligned(old, new.dtype)
            same = ((new == old).fillna(False).astype(bool) | (new.isna() & old.isna())).to_numpy()
        out[name] = ~same
    return pd.DataFrame(out, index=incoming.index)


def _same(new: pd.Series, old: pd.Series) -> np.ndarray | None:
    """Return where new equals old (both missing counts as equal), or None to take the slow way."""
    dtype = new.dtype
    try:
        if pd.api.types.is_datetime64_any_dtype(dtype):
            left = new.to_numpy("datetime64[D]")
            right = _days(old.to_numpy(object))
            return (left == right) | (np.isnat(left) & np.isnat(right))
        if str(dtype) == "Int64" and old.dtype.kind == "i":
            missing = new.isna().to_numpy()
            return ~missing & (new.to_numpy("int64", na_value=0) == old.to_numpy())
        if str(dtype) == "Float64" and old.dtype.kind in "if":
            left = new.to_numpy("float64", na_value=np.nan)
            right = old.to_numpy("float64")
            return (left == right) | (np.isnan(left) & np.isnan(right))
        if dtype.kind == "O":
            left = new.to_numpy(object)
            right = old.to_numpy(object)
            equal = left == right
            if not isinstance(equal, np.ndarray) or equal.dtype != bool:
                return None
            # Missing on both sides (None, NaN, NA alike) is equal too; only unequal cells can be.
            unequal = np.flatnonzero(~equal)
            if len(unequal):
                equal[unequal] = pd.isna(left[unequal]) & pd.isna(right[unequal])
            return equal
    except (TypeError, ValueError):
        return None
    return None


def _days(values: np.ndarray) -> np.ndarray:
    """Return stored dates (ISO text from SQLite, date objects from PostgreSQL) as days.

    A column holds a few thousand distinct days at most: each is converted once.
    """
    codes, distinct = pd.factorize(values)  # missing values get code -1
    days = np.full(len(distinct) + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    days[:-1] = np.asarray(distinct, dtype=object).astype("datetime64[D]")
    return days[codes]
