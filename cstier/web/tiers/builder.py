"""The WTForms rule builder for tier schemes (routes on the tiers blueprint)."""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.models import TierScheme
from cstier.services.errors import Conflict, NotFound, ValidationFailed
from cstier.services.tiering import preview_queue, schemes
from cstier.services.tiering.fields import field_catalog
from cstier.web.current import current_actor, roles_required
from cstier.web.tiers.builder_convert import build_form, form_to_definition
from cstier.web.tiers.builder_forms import BuilderForm, edit_rows, set_choices, shown_fields
from cstier.web.tiers.routes import bp

NEW_SEGMENTS = {
    "dimension": "segment",
    "method": "rules",
    "name": "",
    "rules": [{"name": "", "tier": "", "conditions": [{"field": "region", "op": "eq"}]}],
    "default": "Other",
}


def _checked(form: BuilderForm, catalog: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    """Return the definition and the engine's objection ('' if none); None if fields fail."""
    if not form.validate():
        return None, ""
    definition = form_to_definition(form, catalog)
    try:
        schemes.validate(db.session, definition)
    except ValidationFailed as exc:
        return definition, str(exc)
    return definition, ""


def _posted_form(catalog: dict[str, str], dimension: str) -> BuilderForm:
    form = BuilderForm()
    form.dimension.data = dimension
    set_choices(form, catalog)
    return form


def _page(form: BuilderForm, scheme: TierScheme | None, status: int = 200, **extra: Any):
    can_edit = current_actor().role == "admin"
    can_preview = can_manage_book(current_actor())
    return render_template(
        "tiers/builder.html",
        form=form,
        scheme=scheme,
        can_edit=can_edit,
        can_preview=can_preview,
        # Managers edit a draft of an existing scheme to preview it; only admins save it.
        can_draft=can_edit or (scheme is not None and can_preview),
        **extra,
    ), status


@bp.route("/schemes/<int:scheme_id>/builder", methods=["GET", "POST"])
@login_required
def builder(scheme_id: int):
    """Edit a scheme as fields and rows; managers preview it, admins save it as a new version."""
    try:
        scheme = schemes.get_scheme(db.session, scheme_id)
    except NotFound:
        abort(404)
    catalog = field_catalog(db.session)
    definition = scheme.current.definition
    if definition.get("method") == "static":
        flash("A static segment is a list of accounts: edit it in the JSON editor.", "info")
        return redirect(url_for(".scheme", scheme_id=scheme_id))
    if request.method == "GET":
        form = build_form(definition, catalog)
        form.version.data = scheme.current_version
        return _page(form, scheme)
    form = _posted_form(catalog, scheme.dimension)
    action = request.form.get("action", "")
    # Managers preview a draft; only admins save it.
    if not can_manage_book(current_actor()) or (
        action == "save" and current_actor().role != "admin"
    ):
        abort(403)
    if edit_rows(form, action):
        return _page(form, scheme)
    definition, message = _checked(form, catalog)
    if definition is None or message:
        return _page(form, scheme, 400, message=message)
    try:
        if action == "save":
            version = schemes.save_version(
                db.session, current_actor(), scheme_id, definition, form.version.data
            )
            flash(f"Saved version {version.version}. The next run applies it.", "success")
            return redirect(url_for(".builder", scheme_id=scheme_id))
        job = preview_queue.queue_preview(db.session, current_actor(), scheme_id, definition)
    except ValidationFailed as exc:
        return _page(form, scheme, 400, message=str(exc))
    except Conflict as exc:  # the form keeps the user's rows to apply again
        return _page(form, schemes.get_scheme(db.session, scheme_id), 409, message=str(exc))
    return _page(form, scheme, job=job)


@bp.route("/builder/new", methods=["GET", "POST"])
@roles_required("admin")
def new_segments():
    """Create a rule-based segment scheme in the builder (admins)."""
    catalog = field_catalog(db.session)
    if request.method == "GET":
        return _page(build_form(NEW_SEGMENTS, catalog), None)
    form = _posted_form(catalog, "segment")
    if edit_rows(form, request.form.get("action", "")):
        return _page(form, None)
    definition, message = _checked(form, catalog)
    if definition is None or message:
        return _page(form, None, 400, message=message)
    try:
        scheme = schemes.create_scheme(db.session, current_actor(), definition)
    except ValidationFailed as exc:
        return _page(form, None, 400, message=str(exc))
    flash(f"Created the segment scheme {scheme.name}. The next run applies it.", "success")
    return redirect(url_for(".builder", scheme_id=scheme.id))


@bp.route("/builder/validate", methods=["POST"])
@roles_required("admin")
def validate_builder():
    """Re-check the builder form as it is edited; return field errors and the engine's message."""
    catalog = field_catalog(db.session)
    form = _posted_form(catalog, request.form.get("dimension") or "segment")
    definition, message = _checked(form, catalog)
    return render_template(
        "tiers/builder_feedback.html",
        form=form,
        fields=list(shown_fields(form)),
        definition=definition,
        message=message,
    )
