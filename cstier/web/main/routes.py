"""The dashboard and the health check."""

from flask import Blueprint, jsonify, render_template
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
    """Answer 200 when the database is reachable, 503 when it is not."""
    if health.database_ok(db.session):
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="unavailable", database="unreachable"), 503
