"""Condition operators: their names, which field types they fit, and their masks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cstier.domain.tiering.schemes import Condition

# Symbols are accepted so schemes typed by people read naturally.
ALIASES = {
    "=": "eq",
    "==": "eq",
    "≠": "ne",
    "!=": "ne",
    "<": "lt",
    "≤": "le",
    "<=": "le",
    ">": "gt",
    "≥": "ge",
    ">=": "ge",
}

SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}

ORDERED = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between", "is_empty")
OPERATORS_BY_KIND = {
    "number": ORDERED,
    "date": ORDERED,
    "text": ("eq", "ne", "in", "not_in", "contains", "is_empty"),
    "boolean": ("eq", "ne", "is_empty"),
}
OPERATORS = tuple(dict.fromkeys(op for ops in OPERATORS_BY_KIND.values() for op in ops))

# Custom attributes of type "choice" behave as text in conditions.
KIND_OF_TYPE = {
    "number": "number",
    "date": "date",
    "text": "text",
    "choice": "text",
    "boolean": "boolean",
}


def canonical_op(op: str) -> str:
    """Return the operator name for a name or symbol (unknown ones unchanged)."""
    return ALIASES.get(op.strip(), op.strip().lower())


def column_as(kind: str, column: pd.Series) -> pd.Series:
    """Return the column coerced to the dtype its field type compares in."""
    if kind == "number" and not pd.api.types.is_numeric_dtype(column):
        return pd.to_numeric(column, errors="coerce")
    if kind == "date" and not pd.api.types.is_datetime64_any_dtype(column):
        return pd.to_datetime(column, errors="coerce", utc=True)
    return column


def scalar_as(kind: str, value: Any, column: pd.Series) -> Any:
    """Return a condition value in the type its column compares with."""
    if kind != "date":
        return value
    stamp = pd.Timestamp(value)
    tz = getattr(column.dtype, "tz", None)
    if tz is not None and stamp.tzinfo is None:
        return stamp.tz_localize(tz)
    if tz is None and stamp.tzinfo is not None:
        return stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def condition_mask(condition: Condition, accounts: pd.DataFrame) -> np.ndarray:
    """Return where the condition holds; missing values never match but is_empty."""
    raw = accounts[condition.field]
    column = column_as(condition.kind, raw)
    present = column.notna().to_numpy()
    if condition.op == "is_empty":
        empty = ~present
        if condition.kind == "text":
            empty |= (raw.astype("str").str.strip() == "").fillna(False).to_numpy(bool)
        return empty
    return present & _compare(condition, column)


def _compare(condition: Condition, column: pd.Series) -> np.ndarray:
    op, kind = condition.op, condition.kind
    if op in ("in", "not_in"):
        values = [scalar_as(kind, v, column) for v in condition.value]
        inside = column.isin(values).to_numpy(bool)
        return inside if op == "in" else ~inside
    if op == "between":
        low, high = (scalar_as(kind, v, column) for v in condition.value)
        return ((column >= low) & (column <= high)).fillna(False).to_numpy(bool)
    if op == "contains":
        return _contains(column, str(condition.value))
    value = scalar_as(kind, condition.value, column)
    compared = {
        "eq": column.eq,
        "ne": column.ne,
        "lt": column.lt,
        "le": column.le,
        "gt": column.gt,
        "ge": column.ge,
    }[op](value)
    return compared.fillna(False).to_numpy(bool)


def _contains(column: pd.Series, needle: str) -> np.ndarray:
    # Text columns repeat few values (industries, stacks), so test each distinct
    # value once and spread the answer by code instead of scanning every row.
    codes, uniques = pd.factorize(column)
    hits = pd.Series(uniques, dtype="str").str.contains(needle, case=False, regex=False)
    answer = np.append(hits.fillna(False).to_numpy(bool), False)
    return answer[codes]
