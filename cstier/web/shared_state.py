"""Bind the state every web host shares (Redis when CSTIER_REDIS_URL is set) to the app."""

from flask import Flask, current_app

from cstier.extensions import db
from cstier.services import shared_state

EXTENSION = "cstier.redis"


def connect_shared_state(app: Flask) -> None:
    """Bind a client of the configured Redis; it connects when a sign-in first counts.

    Only web hosts need Redis: the CLI, backups and the scheduler start without it, and a web
    host checks it at its start (require_shared_state).
    """
    app.extensions[EXTENSION] = shared_state.shared_redis(app.config.get("REDIS_URL"))


def require_shared_state(app: Flask) -> None:
    """Stop a web host's start with a clear error when its configured Redis does not answer."""
    shared_state.require_shared_redis(app.extensions.get(EXTENSION), app.config.get("REDIS_URL"))


def login_counts() -> shared_state.LoginCounts:
    """Return where this app counts failed sign-ins: Redis if configured, else the database."""
    return shared_state.login_counts(
        db.session, current_app.extensions.get(EXTENSION), current_app.config["REDIS_PREFIX"]
    )
