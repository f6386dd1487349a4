"""Coverage, capacity, assignment and handoff pages: the models and matrix live here."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.coverage import DEFAULT_MODELS
from cstier.domain.coverage.defaults import NEEDS_TIERS, VALUE_TIERS
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services.coverage import settings
from cstier.services.coverage.derive import rederive_book_coverage
from cstier.services.coverage.seed import seed_default_coverage
from cstier.services.errors import Conflict, NotFound, ValidationFailed
from cstier.web.coverage.forms import ActionForm, CoverageModelForm, VersionedActionForm
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.forms_common import apply_errors
from cstier.web.query import parse_id

bp = Blueprint("coverage", __name__, url_prefix="/coverage")


def _tiers(cells: dict) -> tuple[list[str], list[str]]:
    """Return the value and needs tiers to show: the seeded ones, then any others in use."""
    values = list(VALUE_TIERS) + sorted({v for v, _ in cells} - set(VALUE_TIERS))
    needs = list(NEEDS_TIERS) + sorted({n for _, n in cells} - set(NEEDS_TIERS))
    return values, needs


def _index_page(cells: dict, matrix_form: VersionedActionForm, status: int = 200):
    value_tiers, needs_tiers = _tiers(cells)
    return render_template(
        "coverage/index.html",
        models=settings.list_models(db.session),
        cells=cells,
        value_tiers=value_tiers,
        needs_tiers=needs_tiers,
        form=ActionForm(),
        matrix_form=matrix_form,
        can_edit=can_manage_book(current_actor()),
        default_models=DEFAULT_MODELS,
    ), status


@bp.route("/")
@login_required
def index():
    """Show the coverage models and the value × needs matrix (editable by managers)."""
    matrix_form = VersionedActionForm(data={"version": settings.matrix_version(db.session)})
    return _index_page(settings.matrix(db.session), matrix_form)


@bp.route("/models/defaults", methods=["POST"])
@roles_required(*MANAGERS)
def seed_defaults():
    """Create the default coverage models and matrix in a workspace that has none."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if seed_default_coverage(db.session, current_actor()):
        flash(
            "Created the default coverage models and matrix. "
            "Derive coverage to give every account its model.",
            "success",
        )
    else:
        flash("The workspace already has coverage models; nothing was created.", "info")
    return redirect(url_for(".index"))


@bp.route("/models/<int:model_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_model(model_id: int):
    """Edit a coverage model's ratio, ARR target, hard limit and cadence."""
    try:
        model = settings.get_model(db.session, model_id)
    except NotFound:
        abort(404)
    form = CoverageModelForm(obj=model)
    if request.method == "GET" and model.arr_per_csm_cents:
        form.arr_per_csm.data = model.arr_per_csm_cents // 100
    status = 200
    if form.validate_on_submit():
        try:
            settings.update_model(
                db.session, current_actor(), model_id, form.values(), form.version.data
            )
        except (ValidationFailed, NotFound) as exc:
            flash(str(exc), "danger")
            apply_errors(form, getattr(exc, "errors", {}))
            status = 400
        except Conflict as exc:  # the form keeps the user's edits to apply again
            flash(str(exc), "danger")
            status = 409
        else:
            flash(f"Saved {model.name}. Run “Derive coverage” to apply it.", "success")
            return redirect(url_for(".index"))
    elif request.method == "POST":
        status = 400
    return render_template("coverage/model_form.html", form=form, model=model), status


@bp.route("/matrix", methods=["POST"])
@roles_required(*MANAGERS)
def save_matrix():
    """Save the value × needs matrix."""
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    cells = {}
    for name, value in request.form.items():
        parts = name.split("|", 2)
        if parts[0] == "cell" and len(parts) == 3 and value:
            cells[(parts[1], parts[2])] = parse_id(value, "coverage model")
    try:
        changed = settings.save_matrix(db.session, current_actor(), cells, form.version.data)
    except ValidationFailed as exc:
        flash(str(exc), "danger")
    except Conflict as exc:  # show the user's cells again, over the stored ones
        flash(str(exc), "danger")
        return _index_page({**settings.matrix(db.session), **cells}, form, 409)
    else:
        flash(f"Matrix saved: {changed} cells changed. Derive coverage to apply it.", "success")
    return redirect(url_for(".index"))


@bp.route("/derive", methods=["POST"])
@roles_required(*MANAGERS)
def derive():
    """Re-derive every account's coverage model from the current tiers."""
    if not ActionForm().validate_on_submit():
        abort(400)
    summary = rederive_book_coverage(db.session)
    flash(
        f"Coverage derived for {summary.accounts:,} accounts: {summary.changed:,} changed, "
        f"{summary.flagged:,} flagged for reassignment.",
        "success",
    )
    return redirect(request.referrer or url_for(".index"))


# The other coverage pages register their routes on this blueprint.
from cstier.web.coverage import (  # noqa: E402, F401
    assign_views,
    capacity_views,
    handoff_views,
    people_views,
    reassign_views,
    suggest_views,
)
