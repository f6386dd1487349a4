"""The "needs a new owner" worklist: flagged accounts with their suggested CSM, accepted in a click."""

from flask import flash, redirect, render_template, request, url_for

from cstier.extensions import db
from cstier.services.coverage import worklist
from cstier.services.errors import ServiceError
from cstier.web.coverage.forms import WorklistForm
from cstier.web.coverage.routes import bp
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import id_arg


@bp.route("/reassign")
@roles_required(*MANAGERS, "viewer")
def reassign():
    """List the accounts whose coverage model changed under an owner, a page at a time by id."""
    page = worklist.reassignment_worklist(db.session, current_actor(), after=id_arg("after"))
    return render_template("coverage/reassign.html", page=page, form=WorklistForm())


@bp.route("/reassign", methods=["POST"])
@roles_required(*MANAGERS)
def accept_reassignments():
    """Give the checked (or all) flagged accounts to their suggested CSM."""
    form = WorklistForm()
    back = url_for(".reassign", after=request.args.get("after") or None)
    if not form.validate_on_submit():
        flash(
            "The form expired or the reason is too long; reload the page and try again.", "danger"
        )
        return redirect(back)
    try:
        picks = [] if form.accept_all.data else worklist.parse_picks(request.form.getlist("pick"))
        outcome = worklist.accept_suggestions(
            db.session, current_actor(), picks, form.reason.data or "", bool(form.accept_all.data)
        )
    except ServiceError as exc:
        flash(str(exc) if not getattr(exc, "errors", None) else _first(exc), "warning")
        return redirect(back)
    flash(_summary(outcome), "success" if outcome.reassigned or outcome.kept else "warning")
    for message in outcome.refused:
        flash(f"Not accepted: {message}", "warning")
    return redirect(back)


def _first(exc: ServiceError) -> str:
    messages = [m for ms in exc.errors.values() for m in ms]
    return f"{exc} {messages[0]}" if messages else str(exc)


def _summary(outcome: worklist.AcceptOutcome) -> str:
    parts = [f"Reassigned {_count(outcome.reassigned, 'account')}"]
    if outcome.kept:
        parts.append(f"kept {_count(outcome.kept, 'account')} with its owner")
    if outcome.handoffs:
        parts.append(f"opened {_count(outcome.handoffs, 'handoff')}")
    return ", ".join(parts) + "."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
