"""Managers edit scorecards and onboarding plans; everyone may read them."""

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.health.scorecard import DEFAULT_SCORECARD, NAMED_INPUTS
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services.account_health import scorecards
from cstier.services.engagement import cadence_of, save_cadence
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.onboarding import plans
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.health.forms import CadenceForm, PlanForm, ScorecardForm
from cstier.web.health.routes import bp
from cstier.web.saving import save_or_refuse


@bp.route("/scorecards")
@login_required
def scorecard_list():
    """List the scorecards in precedence order, and the onboarding plans."""
    return render_template(
        "health/scorecards.html",
        cards=scorecards.list_scorecards(db.session),
        plans=plans.list_plans(db.session),
        can_edit=can_manage_book(current_actor()),
    )


def _scorecard_page(form, card, status: int = 200):
    return render_template(
        "health/scorecard_form.html",
        form=form,
        card=card,
        inputs=NAMED_INPUTS,
        can_edit=can_manage_book(current_actor()),
    ), status


@bp.route("/scorecards/new", methods=["GET", "POST"])
@bp.route("/scorecards/<int:scorecard_id>", methods=["GET", "POST"])
@login_required
def scorecard_edit(scorecard_id: int | None = None):
    """Show a scorecard; managers save it (weights must sum to 100 %)."""
    try:
        card = scorecards.get_scorecard(db.session, scorecard_id) if scorecard_id else None
    except NotFound:
        abort(404)
    data = {"scope": "coverage_model", "definition": json.dumps(DEFAULT_SCORECARD, indent=2)}
    if card is not None:
        data = {"name": card.name, "scope": card.scope, "scope_key": card.scope_key,
                "definition": json.dumps(card.definition, indent=2), "version": card.version}  # fmt: skip
    form = ScorecardForm(data=data if request.method == "GET" else None)
    if request.method == "GET":
        return _scorecard_page(form, card)
    if not can_manage_book(current_actor()):
        abort(403)
    if not form.validate_on_submit():
        return _scorecard_page(form, card, 400)
    try:
        saved, status = save_or_refuse(
            form,
            lambda: scorecards.save_scorecard(
                db.session, current_actor(), scorecard_id, form.values(), form.version.data
            ),
        )
    except Forbidden:
        abort(403)
    if saved is None:
        return _scorecard_page(form, card, status)
    flash("Scorecard saved; the next scoring uses it.", "success")
    return redirect(url_for(".scorecard_edit", scorecard_id=saved.id))


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@login_required
def plan_edit(plan_id: int):
    """Show an onboarding plan; managers save its milestones and thresholds."""
    try:
        plan = plans.get_plan(db.session, plan_id)
    except NotFound:
        abort(404)
    data = {"milestones": json.dumps(plan.milestones, indent=2), "stall_days": plan.stall_days,
            "overdue_days": plan.overdue_days, "version": plan.version}  # fmt: skip
    form = PlanForm(data=data if request.method == "GET" else None)
    can_edit = can_manage_book(current_actor())
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        status = 400
        if form.validate_on_submit():
            saved, status = save_or_refuse(
                form,
                lambda: plans.save_plan(
                    db.session, current_actor(), plan_id, form.values(), form.version.data
                ),
            )
            if saved is not None:
                flash("Plan saved; the next onboarding check uses it.", "success")
                return redirect(url_for(".plan_edit", plan_id=plan_id))
    cadence = cadence_of(db.session, plan.coverage_model_id) if plan.coverage_model_id else None
    cadence_form = CadenceForm(
        data={
            "touch_kind": (cadence.touch_kind or "") if cadence else "none",
            "every_days": cadence.every_days if cadence else "",
        }  # fmt: skip
    )
    return render_template(
        "health/plan_form.html",
        form=form,
        plan=plan,
        can_edit=can_edit,
        cadence_form=cadence_form if plan.coverage_model_id else None,
    ), status


@bp.route("/plans/<int:plan_id>/cadence", methods=["POST"])
@roles_required(*MANAGERS)
def cadence_edit(plan_id: int):
    """Set the cadence of the plan's coverage model."""
    try:
        plan = plans.get_plan(db.session, plan_id)
    except NotFound:
        abort(404)
    form = CadenceForm()
    if plan.coverage_model_id is None or not form.validate_on_submit():
        abort(400)
    values = {"touch_kind": form.touch_kind.data, "every_days": form.every_days.data}
    try:
        save_cadence(db.session, current_actor(), plan.coverage_model_id, values)
        flash("Cadence saved.", "success")
    except ValidationFailed as exc:
        flash(f"Cadence not saved: {exc}", "danger")
    return redirect(url_for(".plan_edit", plan_id=plan_id))
