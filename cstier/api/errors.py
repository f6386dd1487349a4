"""The API's one error shape: {"code": 404, "status": "Not Found", "message": "...", "errors": {...}}."""

import logging
from http import HTTPStatus

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from cstier.services.errors import ServiceError, ValidationFailed

log = logging.getLogger(__name__)

# Every input the server understands but refuses (schema or business rule) is 422; 400 is kept
# for a request that cannot be parsed at all (malformed JSON).
VALIDATION_STATUS = 422


def error_response(status: int, message: str | None = None, errors: dict | None = None):
    """Return a JSON error response in the API's shape."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {"code": status, "status": phrase, "message": message or phrase}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def field_errors(messages: dict) -> dict:
    """Flatten webargs' {location: {field: [...]}} into {field: [...]}."""
    flat: dict = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            flat.update(errors)
        else:
            flat[location] = errors
    return flat


def handle_http_exception(error: HTTPException):
    """Render an HTTP error as JSON under /api/, as Werkzeug's page elsewhere."""
    if not request.path.startswith("/api/"):
        return error.get_response()
    if error.code == 500:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
        return error_response(500, "The error was logged. Try again, or tell your admin.")
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or field_errors(data.get("messages") or {})
    message = data.get("message")
    if message is None and errors and error.code == VALIDATION_STATUS:
        message = "Some fields are invalid; see errors."
    elif message is None:
        message = error.description
    response = error_response(error.code or 500, message, errors)
    response.headers.update(data.get("headers") or {})
    return response


def handle_service_error(error: ServiceError):
    """Map a service error to its status; a failed validation is 422 with field errors."""
    status = VALIDATION_STATUS if isinstance(error, ValidationFailed) else error.status
    return error_response(status, str(error), getattr(error, "errors", None))
