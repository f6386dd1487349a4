"""The capacity page: per-CSM load and per-model headcount, with charts."""

from flask import render_template, request
from flask_login import login_required

from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services.coverage.capacity import capacity_report
from cstier.web.coverage.forms import ActionForm
from cstier.web.coverage.routes import bp
from cstier.web.current import current_actor
from cstier.web.query import page_arg, text_arg

CSMS_PER_PAGE = 100
STATUS_BADGES = {"over": "danger", "on_target": "success", "under": "secondary"}


@bp.route("/capacity")
@login_required
def capacity():
    """Show each CSM's load against target and each model's required vs current headcount."""
    sort = text_arg("sort") or "load"
    descending = request.args.get("dir", "desc") == "desc"
    report = capacity_report(db.session, sort, descending, page=page_arg(), per_page=CSMS_PER_PAGE)
    return render_template(
        "coverage/capacity.html",
        report=report,
        sort=sort,
        descending=descending,
        badges=STATUS_BADGES,
        form=ActionForm(),
        can_edit=can_manage_book(current_actor()),
    )
