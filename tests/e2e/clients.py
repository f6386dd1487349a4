"""A test client whose every request runs in its own app context, as under a real server.

The usual fixtures keep one app context open for the whole test, so `g` (Flask-Login's
current user) and the database session would carry from one client's request to another's.
"""

from flask import Flask
from flask.testing import FlaskClient


class RequestClient(FlaskClient):
    """Open each request in a fresh app context: its own session, its own `g`."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def new_client(app: Flask, **environ) -> RequestClient:
    """Return a client of `app`; `environ` sets the WSGI environ, e.g. REMOTE_ADDR."""
    client = RequestClient(app, app.response_class, use_cookies=True)
    client.environ_base.update(environ)
    return client
