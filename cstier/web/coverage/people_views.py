"""CSM profiles and pools."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services import users
from cstier.services.coverage import profiles, settings
from cstier.services.errors import Conflict, NotFound, ValidationFailed
from cstier.web.coverage.forms import ActionForm, PoolForm, ProfileForm, VersionedActionForm
from cstier.web.coverage.routes import bp
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.saving import save_or_refuse


@bp.route("/csms")
@login_required
def csm_list():
    """List the CSMs with their FTE, fit and models served."""
    return render_template(
        "coverage/csms.html",
        rows=profiles.list_profiles(db.session),
        models={m.key: m.name for m in settings.list_models(db.session)},
        can_edit=can_manage_book(current_actor()),
    )


@bp.route("/csms/<int:user_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_profile(user_id: int):
    """Edit a CSM's FTE, regions, verticals, languages and coverage models served."""
    try:
        user, profile = profiles.get_profile(db.session, user_id)
    except NotFound:
        abort(404)
    form = ProfileForm()
    form.coverage_model_keys.choices = [(m.key, m.name) for m in settings.list_models(db.session)]
    if request.method == "GET":
        form.version.data = profiles.profile_version(profile)
        form.fte.data = profile.fte if profile else 1
        if profile:
            form.regions.data = ", ".join(profile.regions or [])
            form.verticals.data = ", ".join(profile.verticals or [])
            form.languages.data = ", ".join(profile.languages or [])
            form.coverage_model_keys.data = list(profile.coverage_model_keys or [])
    status = 200
    if form.validate_on_submit():
        saved, status = save_or_refuse(
            form,
            lambda: profiles.save_profile(
                db.session, current_actor(), user_id, form.values(), form.version.data
            ),
        )
        if saved is not None:
            flash(f"Saved {user.name}'s profile.", "success")
            return redirect(url_for(".csm_list"))
    elif request.method == "POST":
        status = 400
    return render_template("coverage/profile_form.html", form=form, user=user), status


@bp.route("/pools")
@login_required
def pool_list():
    """List the pools with their model and members."""
    return render_template(
        "coverage/pools.html",
        pools=profiles.list_pools(db.session),
        names={u.id: u.name for u, _ in profiles.list_profiles(db.session)},
        form=ActionForm(),
        can_edit=can_manage_book(current_actor()),
    )


@bp.route("/pools/new", methods=["GET", "POST"], defaults={"pool_id": None})
@bp.route("/pools/<int:pool_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_pool(pool_id: int | None):
    """Create or edit a pool."""
    try:
        pool = profiles.get_pool(db.session, pool_id) if pool_id else None
    except NotFound:
        abort(404)
    form = PoolForm(obj=pool)
    form.coverage_model_id.choices = [("", "— choose —")] + [
        (m.id, m.name) for m in settings.list_models(db.session)
    ]
    form.member_ids.choices = [(u.id, u.name) for u in users.csm_choices(db.session)]
    status = 200
    if form.validate_on_submit():
        values = {
            "name": form.name.data,
            "coverage_model_id": form.coverage_model_id.data,
            "member_ids": form.member_ids.data or [],
        }
        saved, status = save_or_refuse(
            form,
            lambda: profiles.save_pool(
                db.session, current_actor(), pool_id, values, form.version.data
            ),
        )
        if saved is not None:
            flash(f"Saved pool {values['name']}.", "success")
            return redirect(url_for(".pool_list"))
    elif request.method == "POST":
        status = 400
    return render_template("coverage/pool_form.html", form=form, pool=pool), status


@bp.route("/pools/<int:pool_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def delete_pool(pool_id: int):
    """Delete a pool with no accounts."""
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        profiles.delete_pool(db.session, current_actor(), pool_id, form.version.data)
    except NotFound:
        abort(404)
    except (ValidationFailed, Conflict) as exc:
        flash(str(exc), "danger")
    else:
        flash("Pool deleted.", "success")
    return redirect(url_for(".pool_list"))
