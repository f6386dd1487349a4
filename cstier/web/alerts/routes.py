"""The notification centre and, for managers, alert rules, webhook endpoints and deliveries."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.alerts.rules import RULE_KINDS
from cstier.extensions import db
from cstier.notify.base import user_channels
from cstier.services.alerts_delivery import notifications
from cstier.services.alerts_delivery.rules import (
    CADENCES,
    RuleInput,
    delete_rule,
    list_rules,
    my_subscriptions,
    save_rule,
    subscribe,
)
from cstier.services.coverage.settings import list_models
from cstier.services.errors import NotFound, ServiceError
from cstier.services.reports import scheme_tiers
from cstier.web.alerts.forms import ConfirmForm, RuleForm
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import page_arg, page_count
from cstier.web.saving import save_or_refuse

bp = Blueprint("alerts", __name__)
PER_PAGE = 50


@bp.route("/notifications")
@login_required
def notification_list():
    """List the user's notifications, newest first."""
    page_no = page_arg()
    page = notifications.list_notifications(
        db.session, current_actor(), limit=PER_PAGE, offset=(page_no - 1) * PER_PAGE
    )
    return render_template(
        "alerts/notifications.html", page=page, page_no=page_no, form=ConfirmForm(),
        pages=page_count(page.total, PER_PAGE),
    )  # fmt: skip


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark one notification read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        notifications.mark_read(db.session, current_actor(), notification_id)
    except NotFound:
        abort(404)
    return redirect(url_for(".notification_list"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = notifications.mark_all_read(db.session, current_actor())
    flash(f"{count} notification(s) marked read.", "success")
    return redirect(url_for(".notification_list"))


def _rule_choices(form: RuleForm) -> None:
    form.scheme_id.choices = [("", "Any scheme")] + [
        (s.scheme_id, s.name) for s in scheme_tiers(db.session).values()
    ]
    form.coverage_model_id.choices = [("", "Any model")] + [
        (m.id, m.name) for m in list_models(db.session)
    ]


@bp.route("/alerts/rules", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def rules():
    """List alert rules and add one."""
    form = RuleForm()
    _rule_choices(form)
    status = 200
    if form.validate_on_submit():
        data = RuleInput(
            name=form.name.data, kind=form.kind.data, scheme_id=form.scheme_id.data,
            tier=(form.tier.data or "").strip() or None,
            region=(form.region.data or "").strip() or None,
            coverage_model_id=form.coverage_model_id.data,
        )  # fmt: skip
        rule, status = save_or_refuse(form, lambda: save_rule(db.session, current_actor(), data))
        if rule is not None:
            flash(f"Rule {rule.name} saved; users subscribe to it on their alerts page.", "success")
            return redirect(url_for(".rules"))
    elif form.is_submitted():
        status = 400
    schemes = scheme_tiers(db.session)
    return render_template(
        "alerts/rules.html", form=form, rules=list_rules(db.session), schemes=schemes,
        models={m.id: m.name for m in list_models(db.session)}, confirm=ConfirmForm(),
        kinds=RULE_KINDS,
    ), status  # fmt: skip


@bp.route("/alerts/rules/<int:rule_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def rule_delete(rule_id: int):
    """Delete a rule and its subscriptions."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        delete_rule(db.session, current_actor(), rule_id)
    except NotFound:
        abort(404)
    flash("Rule deleted.", "success")
    return redirect(url_for(".rules"))


@bp.route("/alerts/subscriptions", methods=["GET", "POST"])
@login_required
def subscriptions():
    """Show every rule and how the user hears of it; save one subscription."""
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            rule_id = int(request.form.get("rule_id", ""))
        except ValueError:
            abort(400)
        try:
            subscribe(
                db.session, current_actor(), rule_id,
                request.form.getlist("channels"), request.form.get("cadence", ""),
            )  # fmt: skip
            flash("Subscription saved.", "success")
            return redirect(url_for(".subscriptions"))
        except NotFound:
            abort(404)
        except ServiceError as exc:
            for messages in getattr(exc, "errors", {}).values():
                for message in messages:
                    flash(message, "danger")
            status = 400
    return render_template(
        "alerts/subscriptions.html", rules=list_rules(db.session),
        mine=my_subscriptions(db.session, current_actor()), channels=user_channels(),
        cadences=CADENCES, form=ConfirmForm(),
    ), status  # fmt: skip
