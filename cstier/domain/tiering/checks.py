"""Small validators that turn bad scheme input into actionable InvalidScheme errors."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from cstier.domain.tiering.operators import KIND_OF_TYPE
from cstier.domain.tiering.schemes import InvalidScheme


def number(value: Any, where: str, *, minimum: float | None = None) -> float:
    """Return value as a finite float, or explain what `where` needs."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidScheme(f"{where} must be a number, got {value!r}.")
    if minimum is not None and value < minimum:
        raise InvalidScheme(f"{where} must be at least {minimum:g}, got {value:g}.")
    return float(value)


def optional_number(value: Any, where: str) -> float | None:
    """Return value as a float, keeping a missing (null) bound as None."""
    return None if value is None else number(value, where)


def text(value: Any, where: str) -> str:
    """Return value as a non-empty, stripped string, or explain what is missing."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidScheme(f"{where} must be a non-empty text, got {value!r}.")
    return value.strip()


def items(value: Any, where: str) -> list[Any]:
    """Return value as a non-empty list, or say that one entry is needed."""
    if not isinstance(value, list) or not value:
        raise InvalidScheme(f"{where} is empty: add at least one entry.")
    return value


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    """Return value as a JSON object, or say an object is expected."""
    if not isinstance(value, Mapping):
        raise InvalidScheme(f"{where} must be an object, got {value!r}.")
    return value


def field_kind(field: Any, fields: Mapping[str, str], where: str) -> str:
    """Return the comparison kind of a known field, or list the known ones."""
    name = text(field, f"The field of {where}")
    if name not in fields:
        known = ", ".join(sorted(fields)) or "none"
        raise InvalidScheme(f"Unknown field '{name}' in {where}. Known fields: {known}.")
    field_type = fields[name]
    if field_type not in KIND_OF_TYPE:
        raise InvalidScheme(f"Field '{name}' has unsupported type '{field_type}'.")
    return KIND_OF_TYPE[field_type]


def numeric_field(field: Any, fields: Mapping[str, str], where: str) -> str:
    """Return the name of a known number field, or explain the type clash."""
    kind = field_kind(field, fields, where)
    if kind != "number":
        raise InvalidScheme(f"Field '{field}' in {where} is {kind}; a number field is needed.")
    return str(field).strip()


def unique_names(names: Iterable[str], what: str) -> None:
    """Reject names that repeat, naming the first repeat."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidScheme(f"Duplicate {what} '{name}': each {what} must be named once.")
        seen.add(name)
