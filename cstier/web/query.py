"""Read path and query values the database can hold; refuse the rest with a 400 that says why."""

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # an INTEGER column on PostgreSQL
MAX_PAGE = 100_000  # far past any real list, small enough that its offset fits a BIGINT
MAX_TEXT = 200


class InvalidQuery(BadRequest):
    """A query or path value the user can correct; its description is shown on the 400 page."""


class BoundedInt(IntegerConverter):
    """Match only ids an INTEGER column can hold, so larger ones are a 404 and never a query."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_query_checks(app: Flask) -> None:
    """Bound every `<int:...>` path value and refuse NUL characters in any address or form of the UI."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    """Refuse a NUL character in the path, query or a form: PostgreSQL cannot store text with one."""
    if request.path.startswith("/api/"):
        return  # the API's schemas refuse NUL in their own error shape
    values = [request.path, *request.args.keys()]
    values += [v for vs in request.args.listvalues() for v in vs]
    if any("\x00" in value for value in values):
        raise InvalidQuery("The address contains a NUL character (%00); remove it and try again.")
    if request.method == "POST" and any(
        "\x00" in text for name, value in request.form.items(multi=True) for text in (name, value)
    ):
        raise InvalidQuery(
            "A field contains a NUL character, which cannot be saved; remove it and try again."
        )


def text_arg(name: str, max_length: int = MAX_TEXT) -> str | None:
    """Return a stripped text argument, None when empty; refuse one longer than max_length."""
    value = (request.args.get(name) or "").strip()
    if len(value) > max_length:
        raise InvalidQuery(f"'{name}' may be at most {max_length} characters long.")
    return value or None


def id_arg(name: str) -> int | None:
    """Return an id argument, None when absent; refuse anything but a whole number in range."""
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    return parse_id(value, name)


def parse_id(value: str, name: str) -> int:
    """Return value as an id from 1 to MAX_ID, or refuse it naming the argument."""
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
        raise InvalidQuery(f"'{name}' must be an id: a whole number from 1 to {MAX_ID:,}.")
    return int(value)


def page_count(total: int, per_page: int) -> int:
    """Return how many pages of per_page hold total rows: at least one, for an empty list."""
    return max((total + per_page - 1) // per_page, 1)


def page_arg(name: str = "page") -> int:
    """Return the page number asked for: 1 unless it is a number, at most MAX_PAGE.

    A page link is often hand-edited or stale, so a bad one shows a page rather than an error.
    """
    value = (request.args.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    return min(max(int(value), 1), MAX_PAGE)
