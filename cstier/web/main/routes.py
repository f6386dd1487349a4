"""The dashboard and the health check."""

from flask import Blueprint, jsonify, render_template
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
    """Answer 200 when the database is reachable, 503 when it is not."""
    if health.database_ok(db.session):
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="unavailable", database="unreachable"), 503
