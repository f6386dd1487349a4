"""Marshmallow fields that refuse what the database would choke on (NUL bytes, overflow, NaN)."""

import math
from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, validate

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER
MAX_BIGINT = 2**63 - 1  # PostgreSQL BIGINT
MAX_JSON_DEPTH = 20


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Text cannot contain NUL characters.")


class Text(ma.fields.String):
    """A string with a maximum length and no NUL characters."""

    def __init__(self, max_length: int, *, min_length: int = 0, **kwargs: Any):
        validators = [validate.Length(min=min_length, max=max_length), _no_nul]
        super().__init__(validate=validators, **kwargs)


class Id(ma.fields.Integer):
    """A positive database id (strict in JSON bodies; query strings are text)."""

    def __init__(self, *, strict: bool = True, **kwargs: Any):
        super().__init__(strict=strict, validate=validate.Range(min=1, max=MAX_INT), **kwargs)


class Count(ma.fields.Integer):
    """A non-negative integer within a column's range (cents, employees)."""

    def __init__(self, maximum: int = MAX_INT, **kwargs: Any):
        super().__init__(strict=True, validate=validate.Range(min=0, max=maximum), **kwargs)


def check_json(value: Any, depth: int = 0) -> None:
    """Refuse JSON that PostgreSQL cannot store: NUL characters, NaN/Infinity, deep nesting."""
    if depth > MAX_JSON_DEPTH:
        raise ValidationError(f"JSON may nest at most {MAX_JSON_DEPTH} levels.")
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("Numbers must be finite.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(str(key))
            check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, depth + 1)


class JsonObject(ma.fields.Dict):
    """A JSON object the database can store."""

    def __init__(self, **kwargs: Any):
        super().__init__(keys=ma.fields.String(), validate=check_json, **kwargs)
