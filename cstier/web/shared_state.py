"""Bind the state every web host shares (Redis when CSTIER_REDIS_URL is set) to the app."""

from flask import Flask, current_app

from cstier.extensions import db
from cstier.services import shared_state

EXTENSION = "cstier.redis"


def connect_shared_state(app: Flask) -> None:
    """Connect to the configured Redis now, so a wrong URL stops the start with a clear error."""
    app.extensions[EXTENSION] = shared_state.connect_shared_redis(app.config.get("REDIS_URL"))


def login_counts() -> shared_state.LoginCounts:
    """Return where this app counts failed sign-ins: Redis if configured, else the database."""
    return shared_state.login_counts(
        db.session, current_app.extensions.get(EXTENSION), current_app.config["REDIS_PREFIX"]
    )
