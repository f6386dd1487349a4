"""The flask-smorest Api: OpenAPI 3 at /api/v1/openapi.json, errors in the API's one shape."""

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from cstier.api.errors import handle_http_exception

SETTINGS = {
    "API_TITLE": "cstier",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # No Swagger UI / ReDoc: they load from a CDN and the app must work offline.
    "OPENAPI_SWAGGER_UI_PATH": None,
    "OPENAPI_REDOC_PATH": None,
    "OPENAPI_RAPIDOC_PATH": None,
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Send `Authorization: Bearer <token>` with every request. "
            "Errors are {code, status, message, errors}. See docs/api.md."
        },
        "security": [{"bearerAuth": []}],
    },
}


def schema_name(schema) -> str:
    """Name a component after its schema class; a partial (PATCH) body gets its own name."""
    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")
    partial = getattr(schema, "partial", False) and not name.endswith("Patch")
    return f"{name}Patch" if partial else name


class CstierApi(Api):
    """An Api whose error responses come from cstier.api.errors."""

    def _register_error_handlers(self) -> None:
        self._app.register_error_handler(HTTPException, handle_http_exception)


def create_api(app: Flask) -> CstierApi:
    """Configure and bind the Api to the app, with the bearer security scheme documented."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    api = CstierApi(app, spec_kwargs={"marshmallow_plugin": plugin})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A cstier API token."}
    )
    return api
