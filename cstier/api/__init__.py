"""The REST API under /api/v1 (flask-smorest), documented at /api/v1/openapi.json."""

from flask import Flask

from cstier.api.finite_json import FiniteJSONProvider
from cstier.extensions import csrf


def register_api(app: Flask) -> None:
    """Mount the API blueprints (token-authenticated, CSRF-exempt) and the API tokens page."""

    from cstier.api import (
        account_tiers,
        account_touches,
        accounts,
        attributes,
        capacity,
        companies,
        coverage,
        jobs,
        metrics,
        reports,
        runs,
        schemes,
        segments,
    )
    from cstier.api.spec import create_api
    from cstier.web.tokens import bp as tokens_page

    app.json = FiniteJSONProvider(app)  # every JSON response, API or page, stays standard
    api = create_api(app)
    modules = (
        companies,
        accounts,
        account_tiers,
        attributes,
        account_touches,
        schemes,
        runs,
        jobs,
        segments,
        capacity,
        coverage,
    )
    for module in (*modules, metrics, reports):
        csrf.exempt(module.blp)  # bearer tokens, not cookies: no cross-site request to forge
        api.register_blueprint(module.blp)
    app.register_blueprint(tokens_page)
