"""Where a web request reads: the read replica for dashboards and reports, or the primary.

Web statements also get the statement timeout (CSTIER_STATEMENT_TIMEOUT_MS); work outside
a request (scheduler, job worker, CLI) gets none.

With CSTIER_DATABASE_REPLICA_URL set, a GET of one of REPLICA_PAGES reads from the replica.
Any other request reads from the primary, and so does every request of a browser for
CSTIER_REPLICA_STICKY_SECONDS after it sent a write (any non-GET, its time kept in the signed
session cookie): a user who just saved sees what they saved. Who is signed in is always read
from the primary, so a session ended elsewhere ends at once on every page.
"""

import time

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user

from cstier.extensions import db
from cstier.store.connections import limit_statements
from cstier.store.replica import Replica, start_reading_replica, stop_reading_replica

# Dashboards and reports: pages that summarise, where a second of lag changes nothing.
REPLICA_PAGES = frozenset(
    {
        "main.dashboard",
        "metrics.health",
        "metrics.card",
        "metrics.accounts",
        "reports.tier_review",
        "reports.trends_page",
        "coverage.capacity",
        "weekly_reports.index",
        "weekly_reports.show",
        "weekly_reports.download",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WROTE_AT = "wrote_at"


def register_read_routing(app: Flask) -> None:
    """Time out slow web statements; attach the replica, if set, and route its pages' reads to it."""
    with app.app_context():
        limit_statements(db.engine, app.config["STATEMENT_TIMEOUT_MS"], has_request_context)
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return
    replica = Replica(url, app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    limit_statements(replica.engine, app.config["STATEMENT_TIMEOUT_MS"], has_request_context)
    app.extensions["cstier_replica"] = replica
    app.before_request(_choose_database)
    app.after_request(_remember_write)
    app.teardown_request(_back_to_primary)


def replica_of(app: Flask) -> Replica | None:
    """Return the app's read replica, None without one."""
    return app.extensions.get("cstier_replica")


def _choose_database() -> None:
    if request.method not in SAFE_METHODS or request.endpoint not in REPLICA_PAGES:
        return
    wrote_at = session.get(WROTE_AT, 0)
    if time.time() - wrote_at < current_app.config["REPLICA_STICKY_SECONDS"]:
        return
    current_user._get_current_object()  # who is signed in: read now, from the primary
    g.replica_token = start_reading_replica(replica_of(current_app))


def _remember_write(response):
    if request.method not in SAFE_METHODS and not request.path.startswith("/api/"):
        session[WROTE_AT] = round(time.time(), 3)
    return response


def _back_to_primary(_error) -> None:
    token = g.pop("replica_token", None)
    if token is not None:
        stop_reading_replica(token)
