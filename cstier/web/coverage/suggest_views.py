"""Review the owner suggestions and accept all or some of them."""

from flask import abort, flash, redirect, render_template, request, url_for

from cstier.extensions import db
from cstier.services.coverage import suggestions
from cstier.services.errors import ValidationFailed
from cstier.web.coverage.forms import AcceptForm
from cstier.web.coverage.routes import bp
from cstier.web.current import MANAGERS, current_actor, roles_required

SHOWN = 500


@bp.route("/suggestions")
@roles_required(*MANAGERS)
def suggestion_list():
    """Show capacity-aware proposals for unassigned and flagged accounts."""
    proposals = suggestions.propose(db.session)
    unplaced = proposals[proposals["csm_id"].isna()]["reason"].value_counts()
    return render_template(
        "coverage/suggestions.html",
        rows=suggestions.describe(db.session, proposals, limit=SHOWN),
        total=len(proposals),
        placed=int(proposals["csm_id"].notna().sum()),
        unplaced=list(unplaced.items()),
        shown=SHOWN,
        form=AcceptForm(),
    )


@bp.route("/suggestions", methods=["POST"])
@roles_required(*MANAGERS)
def accept_suggestions():
    """Accept the checked proposals, or all of them (recomputed: the same data, the same ones)."""
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.accept_all.data:
            picks = suggestions.all_picks(suggestions.propose(db.session))
        else:
            picks = suggestions.parse_picks(request.form.getlist("pick"))
    except ValidationFailed as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".suggestion_list"))
    if not picks:
        flash("Check at least one proposal, or accept all.", "warning")
        return redirect(url_for(".suggestion_list"))
    result = suggestions.accept(db.session, current_actor(), picks, form.reason.data or "")
    flash(accepted_message(result.applied, result.kept), "success")
    for message in result.skipped:
        flash(f"Not applied: {message}", "warning")
    return redirect(url_for(".suggestion_list"))


def accepted_message(applied: int, kept: int) -> str:
    """Say how many proposals gave a new owner and how many kept the owner, in good English."""
    message = f"Accepted {applied:,} {'proposal' if applied == 1 else 'proposals'}"
    if kept:
        message += f"; {kept:,} {'account keeps its' if kept == 1 else 'accounts keep their'} owner"
    return message + "."
