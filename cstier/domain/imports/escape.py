"""Guard spreadsheet cells against formula injection, and undo the guard on import."""

import pandas as pd

# A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Return value with a leading single quote if it would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of frame whose text cells are escaped against formula injection."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            text = column.astype("string")
            risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            if risky.any():
                out[name] = column.astype(object).where(~risky, "'" + text[risky].astype(object))
    return out


def unescape_text(column: pd.Series) -> pd.Series:
    """Drop the quote an export put before a formula character, so a round trip is lossless."""
    guarded = column.str.match(r"^'[=+\-@\t\r]").fillna(False).astype(bool)
    if not guarded.any():
        return column
    return column.where(~guarded, column.str.slice(1))
