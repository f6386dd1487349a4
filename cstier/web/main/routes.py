"""The dashboard and the health check."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import login_required

from cstier.extensions import db
from cstier.services import accounts, health
from cstier.web.current import current_actor

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def dashboard():
    """Show a summary of the book: counts, ARR, accounts by lifecycle stage and region."""
    summary = accounts.book_summary(db.session, current_actor())
    return render_template("main/dashboard.html", summary=summary)


@bp.route("/healthz")
def healthz():
    """Answer 200 when the database is reachable (and an expected scheduler beats), 503 when not."""
    if not health.database_ok(db.session):
        return jsonify(status="unavailable", database="unreachable"), 503
    config = current_app.config
    scheduler = health.scheduler_health(
        db.session, config["SCHEDULER_EXPECTED"], config["SCHEDULER_STALE_SECONDS"]
    )
    beat = scheduler.last_heartbeat.isoformat() if scheduler.last_heartbeat else None
    if not scheduler.ok:
        return jsonify(
            status="unavailable", database="ok", scheduler="stale", scheduler_heartbeat=beat
        ), 503
    return jsonify(status="ok", database="ok", scheduler_heartbeat=beat), 200
