"""HTML error pages; errors the user cannot cause are logged and shown generically."""

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from cstier.api.errors import error_response
from cstier.extensions import login_manager
from cstier.services.health import too_slow
from cstier.web.query import InvalidQuery

# The database cannot be reached or cannot answer now (down, restarting, pool exhausted).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your role does not allow this. Ask a manager or an admin."),
    404: ("Not found", "There is nothing at this address, or it is not in your book."),
    405: ("Not allowed", "This address does not accept that method."),
    409: ("Conflict", "Someone else changed this first. Reload and try again."),
    413: ("File too large", "The upload is over the size limit."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Something went wrong", "The error was logged. Try again, or tell your admin."),
    503: ("Database unavailable", "The database is unavailable; try again shortly."),
}
TOO_SLOW = "The database took too long to answer, so the page was stopped. Try again shortly."


def render_error(status: int, detail: str | None = None):
    """Render the error page for a status code (JSON in the API's shape under /api/)."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        return error_response(status, detail or message)
    return render_template(
        "errors/error.html", status=status, title=title, message=detail or message
    ), status


def _told(error: HTTPException) -> str | None:
    """Return the message an abort(status, message=...) gave, e.g. the API's body checks."""
    return (getattr(error, "data", None) or {}).get("message")


def register_error_pages(app: Flask) -> None:
    """Attach the error handlers to the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            f"The form expired or was not sent from cstier ({error.description}). Reload the page and submit again.",
        )

    @app.errorhandler(InvalidQuery)
    def invalid_query(error: InvalidQuery):
        return render_error(400, error.description)

    for status in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(status, lambda e, s=status: render_error(s, _told(e)))

    def database_unavailable(error: Exception):
        slow = too_slow(error)
        reason = "statement timeout" if slow else "database unavailable"
        log.error("%s on %s %s: %s", reason, request.method, request.path, error)
        # The page must not ask the database who is signed in: show it as to a visitor.
        login_manager._update_request_context_with_user()
        return render_error(503, TOO_SLOW if slow else None)

    for exception in DATABASE_UNAVAILABLE:
        app.register_error_handler(exception, database_unavailable)

    @app.errorhandler(500)
    def server_error(error):
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
        return render_error(500)
