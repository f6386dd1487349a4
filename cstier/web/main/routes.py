"""The dashboard and the health check."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import login_required

from cstier.extensions import db
from cstier.services import health
from cstier.services.dashboards.csm import csm_dashboard
from cstier.services.dashboards.manager import manager_dashboard
from cstier.web.current import current_actor

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def dashboard():
    """Show the manager's Monday, or a CSM's own week."""
    actor = current_actor()
    if actor.role == "csm":
        return render_template("main/csm_dashboard.html", board=csm_dashboard(db.session, actor))
    return render_template("main/dashboard.html", board=manager_dashboard(db.session, actor))


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
