"""The API's one error shape: {"code": 404, "status": "Not Found", "message": "...", "errors": {...}}."""

from http import HTTPStatus

from flask import jsonify


def error_response(status: int, message: str | None = None, errors: dict | None = None):
    """Return a JSON error response in the API's shape."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {"code": status, "status": phrase, "message": message or phrase}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response
