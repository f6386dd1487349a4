"""Compare incoming rows with the stored ones, column by column, to sort them into created, updated and unchanged."""

import pandas as pd


def align_types(current: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """Return current's columns cast to incoming's dtypes so equal values compare equal."""
    out = {}
    for name in incoming.columns:
        column = current[name] if name in current else pd.Series(None, index=current.index)
        dtype = incoming[name].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            out[name] = pd.to_datetime(column, errors="coerce").astype(dtype)
        elif str(dtype) in ("Int64", "Float64", "boolean"):
            out[name] = column.astype(object).where(column.notna(), None).astype(dtype)
        else:
            out[name] = column.astype(object).where(column.notna(), None)
    return pd.DataFrame(out, index=current.index)


def changed_cells(incoming: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Return a boolean frame: True where an incoming cell differs from the stored one."""
    out = {}
    for name in incoming.columns:
        new, old = incoming[name], current[name]
        same = (new == old).fillna(False).astype(bool) | (new.isna() & old.isna())
        out[name] = ~same
    return pd.DataFrame(out, index=incoming.index)
