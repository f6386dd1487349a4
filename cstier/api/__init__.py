"""The REST API under /api/v1 (flask-smorest), documented at /api/v1/openapi.json."""

from flask import Flask


def register_api(app: Flask) -> None:
    """Mount the API blueprints."""
