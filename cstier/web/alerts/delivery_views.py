"""Webhook endpoints (secret shown once, send test) and the deliveries list with retry."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from cstier.extensions import db
from cstier.services.alerts_delivery.deliver import STATUSES, list_deliveries, retry_delivery
from cstier.services.alerts_delivery.endpoints import (
    EndpointInput,
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    send_test,
    update_endpoint,
)
from cstier.services.alerts_delivery.rules import list_rules
from cstier.services.errors import NotFound, ValidationFailed
from cstier.web.alerts.forms import ConfirmForm, EndpointForm
from cstier.web.alerts.routes import PER_PAGE, bp
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import page_arg, page_count
from cstier.web.saving import save_or_refuse


def _endpoint_form(obj=None) -> EndpointForm:
    form = EndpointForm(obj=obj)
    form.rule_id.choices = [("", "Every change of the events")] + [
        (r.id, r.name) for r in list_rules(db.session)
    ]
    return form


def _input(form: EndpointForm) -> EndpointInput:
    return EndpointInput(
        name=form.name.data or "", url=(form.url.data or "").strip(), events=form.events.data or [],
        payload_format=form.payload_format.data, rule_id=form.rule_id.data,
        enabled=bool(form.enabled.data),
    )  # fmt: skip


def _endpoints_page(form: EndpointForm, status: int = 200, secret: str | None = None):
    html = render_template(
        "alerts/endpoints.html", form=form, secret=secret, confirm=ConfirmForm(),
        endpoints=list_endpoints(db.session, current_actor()),
    )  # fmt: skip
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"  # the secret must not linger in caches
    return response


@bp.route("/alerts/endpoints", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def endpoints():
    """List webhook endpoints; add one and show its secret this once."""
    form = _endpoint_form()
    if form.validate_on_submit():
        created, status = save_or_refuse(
            form, lambda: create_endpoint(db.session, current_actor(), _input(form))
        )
        if created is not None:
            flash(f"Endpoint {created[0].name} added.", "success")
            return _endpoints_page(_endpoint_form(), secret=created[1])
        return _endpoints_page(form, status)
    return _endpoints_page(form, 400 if form.is_submitted() else 200)


@bp.route("/alerts/endpoints/<int:endpoint_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def endpoint_edit(endpoint_id: int):
    """Edit an endpoint (enable it again after a 410)."""
    try:
        endpoint = get_endpoint(db.session, current_actor(), endpoint_id)
    except NotFound:
        abort(404)
    form = _endpoint_form(obj=endpoint)
    status = 200
    if form.validate_on_submit():
        saved, status = save_or_refuse(
            form,
            lambda: update_endpoint(db.session, current_actor(), endpoint_id, _input(form)),
        )
        if saved is not None:
            flash(f"Endpoint {saved.name} saved.", "success")
            return redirect(url_for(".endpoints"))
    elif form.is_submitted():
        status = 400
    return render_template("alerts/endpoint_edit.html", form=form, endpoint=endpoint), status


@bp.route("/alerts/endpoints/<int:endpoint_id>/test", methods=["POST"])
@roles_required(*MANAGERS)
def endpoint_test(endpoint_id: int):
    """Send a signed test message now and say how it went."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        summary = send_test(db.session, current_actor(), endpoint_id)
    except NotFound:
        abort(404)
    if summary.sent:
        flash("The test message was delivered.", "success")
    else:
        flash("The test message was not delivered; see the deliveries list for why.", "danger")
    return redirect(url_for(".endpoints"))


@bp.route("/alerts/endpoints/<int:endpoint_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def endpoint_delete(endpoint_id: int):
    """Delete an endpoint and its deliveries."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        delete_endpoint(db.session, current_actor(), endpoint_id)
    except NotFound:
        abort(404)
    flash("Endpoint deleted.", "success")
    return redirect(url_for(".endpoints"))


@bp.route("/alerts/deliveries")
@roles_required(*MANAGERS)
def deliveries():
    """List deliveries with their attempts and last error, newest first."""
    status = request.args.get("status") or None
    page_no = page_arg()
    try:
        page = list_deliveries(
            db.session, current_actor(), status, limit=PER_PAGE, offset=(page_no - 1) * PER_PAGE
        )
    except ValidationFailed as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".deliveries"))
    return render_template(
        "alerts/deliveries.html", page=page, status=status, statuses=STATUSES,
        page_no=page_no, pages=page_count(page.total, PER_PAGE),
        confirm=ConfirmForm(),
    )  # fmt: skip


@bp.route("/alerts/deliveries/<int:delivery_id>/retry", methods=["POST"])
@roles_required(*MANAGERS)
def delivery_retry(delivery_id: int):
    """Queue a failed delivery again."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        retry_delivery(db.session, current_actor(), delivery_id)
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".deliveries"))
    flash("Delivery queued again; the next delivery run sends it.", "success")
    return redirect(url_for(".deliveries"))
