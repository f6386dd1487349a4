"""Optimistic locking over HTTP: ETag on reads, If-Match or a `version` field on writes."""

import marshmallow as ma
from flask_smorest import abort

from cstier.api.fields import MAX_INT


class IfMatchSchema(ma.Schema):
    """The If-Match request header."""

    if_match = ma.fields.String(
        data_key="If-Match",
        metadata={"description": "The ETag from your last read; a stale one is refused with 409."},
    )


def etag(token: str | int) -> str:
    """Return a strong ETag header value for a version token."""
    return f'"{token}"'


def matched_tokens(if_match: str | None) -> list[str]:
    """Return the version tokens an If-Match header names ('*' matches any)."""
    if not if_match:
        return []
    tokens = []
    for part in if_match.split(","):
        part = part.strip()
        part = part.removeprefix("W/").strip('"')
        if part:
            tokens.append(part)
    return tokens


def expected_version(
    if_match: str | None, version: int | None, current: int, what: str = "account"
) -> int:
    """Return the version the client edited, from the body or If-Match; 428 if it sent neither."""
    if version is not None:
        return version
    tokens = matched_tokens(if_match)
    if not tokens:
        abort(
            428,
            message=f"Send the {what}'s version: a `version` field, or If-Match with its ETag.",
        )
    if "*" in tokens or str(current) in tokens:
        return current
    for token in tokens:
        if token.isdigit() and int(token) <= MAX_INT:
            return int(token)
    return -1  # names no version: treated as stale
