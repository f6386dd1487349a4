"""The account page's health panel (an htmx fragment) and the forms it posts."""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from cstier.domain.permissions import can_edit_account, can_manage_book
from cstier.extensions import db
from cstier.services import accounts, engagement
from cstier.services.account_health import overrides
from cstier.services.account_health.history import account_health
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.onboarding.progress import account_onboarding, complete_milestone
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.forms_common import apply_errors
from cstier.web.health.forms import (
    HealthOverrideForm,
    MilestoneForm,
    RevokeHealthOverrideForm,
    TouchForm,
)
from cstier.web.health.routes import bp


def _panel(account_id: int, touch_form=None, milestone_form=None, override_form=None):
    actor = current_actor()
    try:
        account = accounts.get_account(db.session, actor, account_id)
    except NotFound:
        abort(404)
    progress = account_onboarding(db.session, actor, account_id)
    milestone_form = milestone_form or MilestoneForm()
    if progress:
        milestone_form.key.choices = [(s.key, s.name) for s in progress.steps if not s.completed_on]
    return render_template(
        "health/_account_panel.html",
        account=account,
        health=account_health(db.session, actor, account_id),
        progress=progress,
        touches=engagement.list_touches(db.session, actor, account_id),
        touch_form=touch_form or TouchForm(),
        milestone_form=milestone_form,
        override_form=override_form or HealthOverrideForm(),
        revoke_form=RevokeHealthOverrideForm(),
        can_edit=can_edit_account(actor, account.csm_id),
        can_override=can_manage_book(actor),
    )


@bp.route("/accounts/<int:account_id>/panel")
@login_required
def account_panel(account_id: int):
    """Return the account's onboarding, health and touches card."""
    return _panel(account_id)


def _refused(form, exc: ValidationFailed) -> None:
    for message in apply_errors(form, exc.errors) or [str(exc)]:
        flash(message, "danger")


def _form_errors(form) -> None:
    for name, messages in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else name
        for message in messages:
            flash(f"{label}: {message}", "danger")


def _back(account_id: int):
    return redirect(url_for("accounts.show", account_id=account_id) + "#health-panel")


def _posted(account_id: int, form, save: Callable[[], object], done: str):
    """Save a posted panel form and flash the outcome; the panel lives on the account page.

    The page is redirected to, not rendered, so field errors are flashed rather than shown
    beside their fields (web/saving.py's helper is for forms that render again).
    """
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(account_id)
    try:
        save()
        flash(done, "success")
    except ValidationFailed as exc:
        _refused(form, exc)
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)
    return _back(account_id)


@bp.route("/accounts/<int:account_id>/touches", methods=["POST"])
@login_required
def log_touch(account_id: int):
    """Log a touch on the account; a bad kind or day is refused with a message."""
    form = TouchForm()

    def save():
        values = {"kind": form.kind.data, "occurred_on": form.occurred_on.data,
                  "note": form.note.data or ""}  # fmt: skip
        engagement.log_touch(db.session, current_actor(), account_id, values)

    return _posted(account_id, form, save, "Touch logged.")


@bp.route("/accounts/<int:account_id>/milestones", methods=["POST"])
@login_required
def complete(account_id: int):
    """Mark a plan milestone completed on a day."""
    form = MilestoneForm()

    def save():
        complete_milestone(
            db.session, current_actor(), account_id, form.key.data, form.completed_on.data
        )

    return _posted(account_id, form, save, "Milestone completed.")


@bp.route("/accounts/<int:account_id>/override", methods=["POST"])
@roles_required(*MANAGERS)
def override(account_id: int):
    """Pin the account's health band with a reason and an optional expiry."""
    form = HealthOverrideForm()

    def save():
        values = {"band": form.band.data, "reason": form.reason.data,
                  "expires_on": form.expires_on.data}  # fmt: skip
        overrides.set_override(db.session, current_actor(), account_id, values)

    return _posted(account_id, form, save, "Health band overridden; the next scoring applies it.")


@bp.route("/accounts/<int:account_id>/override/<int:override_id>/revoke", methods=["POST"])
@roles_required(*MANAGERS)
def revoke(account_id: int, override_id: int):
    """End a health override now."""
    if not RevokeHealthOverrideForm().validate_on_submit():
        abort(400)
    try:
        overrides.revoke_override(db.session, current_actor(), account_id, override_id)
    except NotFound:
        abort(404)
    flash("Override revoked.", "success")
    return _back(account_id)
