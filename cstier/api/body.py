"""Check an API write's body once, before any view reads it: JSON, valid Unicode, finite numbers."""

import json

from flask import request
from flask_smorest import abort

from cstier.domain.numbers import NonFiniteNumber, loads_finite

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def check_json_body() -> None:
    """Answer 415 to a write sent as anything but JSON, 400 to JSON no database can store."""
    if request.method not in WRITE_METHODS:
        return
    if not request.is_json and (request.content_type or request.content_length):
        # Without this a form-encoded PATCH would read as an empty one: 200, nothing changed.
        abort(
            415,
            message=f"Send the body as JSON with 'Content-Type: application/json', "
            f"not {request.mimetype or 'an untyped body'}.",
        )
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        body = loads_finite(raw)
    except NonFiniteNumber as exc:
        abort(400, message=f"The JSON body cannot be stored: {exc}")
    except ValueError as exc:  # malformed JSON or bytes that are not UTF-8
        abort(400, message=f"The body is not valid JSON: {exc}")
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate ("\ud800") parses in Python but no database or UTF-8 reader takes it.
        abort(400, message=f"The JSON body holds text that is not valid Unicode: {exc.reason}.")
