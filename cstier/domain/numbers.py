"""Tell finite numbers from NaN, infinities and overflow, wherever a user's number comes from."""

import json
import math
from decimal import Decimal
from typing import Any

NOT_FINITE = "must be a finite number (not NaN or infinity, nor beyond ±1e308)"


class NonFiniteNumber(ValueError):
    """A number that no store, tiering run or JSON document can hold."""


def is_finite(value: Any) -> bool:
    """Return whether a number stays finite as a float (1e400 parses to infinity)."""
    try:
        return math.isfinite(float(value))
    except (OverflowError, TypeError, ValueError):
        return False


def non_finite_paths(value: Any, path: str = "") -> list[str]:
    """Return where in a JSON-like value a number is NaN or infinite ('' is the value itself)."""
    if isinstance(value, float | Decimal):
        return [] if is_finite(value) else [path]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return []
    return [
        found
        for key, item in items
        for found in non_finite_paths(item, f"{path}.{key}" if path else str(key))
    ]


def without_non_finite(value: Any) -> Any:
    """Return a JSON-like value with every NaN or infinite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: without_non_finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_non_finite(item) for item in value]
    return value


def _refuse_constant(token: str) -> float:
    raise NonFiniteNumber(f"{token} is not a number JSON allows; every number {NOT_FINITE}.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteNumber(f"{text} is too large; every number {NOT_FINITE}.")
    return value


def loads_finite(text: str | bytes) -> Any:
    """Parse JSON text, refusing NaN, Infinity and numbers too large for a float."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
