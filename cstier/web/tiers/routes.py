"""Tiering pages: segment views, runs, scheme editor with preview, overrides."""

import json
from datetime import UTC, datetime, time

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from cstier.domain.permissions import can_manage_book, can_manage_settings, sees_whole_book
from cstier.domain.tiering import DEFAULT_SCHEMES
from cstier.extensions import db
from cstier.services import accounts
from cstier.services.errors import Conflict, NotFound, ServiceError, ValidationFailed
from cstier.services.jobs import background
from cstier.services.tiering import history, overrides, preview_queue, schemes, segments
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import page_arg, page_count
from cstier.web.tiers.forms import (
    AsOfForm,
    DefaultSchemesForm,
    OverrideForm,
    RevokeForm,
    RunForm,
    SchemeForm,
)

bp = Blueprint("tiers", __name__, url_prefix="/tiers")
PER_PAGE = 50
EXPIRING_DAYS = 7  # the dashboard's horizon for overrides expiring soon


@bp.route("/")
@login_required
def index():
    """Show accounts and ARR per tier of every scheme, with recent runs."""
    actor = current_actor()
    return render_template(
        "tiers/index.html",
        summary=segments.tier_summary(db.session, actor),
        runs=history.recent_runs(db.session, 10),
        scheme_names=segments.scheme_names(db.session),
        run_form=RunForm(),
        defaults_form=DefaultSchemesForm(),
        can_run=can_manage_book(actor),
        can_seed=can_manage_settings(actor),
        default_schemes=[d["name"] for d in DEFAULT_SCHEMES],
    )


@bp.route("/schemes/defaults", methods=["POST"])
@roles_required("admin")
def seed_defaults():
    """Create the default value, needs and segment schemes in a workspace that has none."""
    if not DefaultSchemesForm().validate_on_submit():
        abort(400)
    created = schemes.seed_default_schemes(db.session, current_actor())
    if created:
        names = ", ".join(s.name for s in created)
        flash(f"Created the default schemes: {names}. Re-tier now to place accounts.", "success")
    else:
        flash("The workspace already has tier schemes; nothing was created.", "info")
    return redirect(url_for(".index"))


@bp.route("/runs", methods=["POST"])
@roles_required(*MANAGERS)
def start_run():
    """Queue a re-tier (or a dry run) for the scheduler and show its progress."""
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job = background.enqueue(
            db.session,
            current_actor(),
            "retier",
            {"dry_run": bool(form.dry_run.data), "trigger": "web"},
        )
    except ValidationFailed as exc:  # no schemes yet: creating them is the admin's call
        flash(str(exc), "warning")
        return redirect(url_for(".index"))
    return redirect(url_for("jobs.job", job_id=job.id))


@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
@login_required
def scheme(scheme_id: int):
    """Show a scheme; admins edit it, preview the movement, and save a new version."""
    try:
        tier_scheme = schemes.get_scheme(db.session, scheme_id)
    except NotFound:
        abort(404)
    actor = current_actor()
    form = SchemeForm()
    if request.method == "GET":
        form.version.data = tier_scheme.current_version
        form.definition.data = json.dumps(
            tier_scheme.current.definition, indent=2, ensure_ascii=False
        )
    job, status = None, 200
    if request.method == "POST":
        # Managers preview a draft; only admins save it.
        if not can_manage_book(actor) or (form.save.data and actor.role != "admin"):
            abort(403)
        if form.validate_on_submit():
            try:
                if form.save.data:
                    version = schemes.save_version(
                        db.session, actor, scheme_id, form.parsed(), form.version.data
                    )
                    flash(f"Saved version {version.version}. The next run applies it.", "success")
                    return redirect(url_for(".scheme", scheme_id=scheme_id))
                job = preview_queue.queue_preview(db.session, actor, scheme_id, form.parsed())
            except ValidationFailed as exc:
                form.definition.errors = [*form.definition.errors, str(exc)]
                status = 400
            except Conflict as exc:  # the editor keeps the user's text to apply again
                form.definition.errors = [*form.definition.errors, str(exc)]
                tier_scheme = schemes.get_scheme(db.session, scheme_id)
                status = 409
        else:
            status = 400
    return render_template(
        "tiers/scheme.html",
        scheme=tier_scheme,
        form=form,
        job=job,
        can_edit=actor.role == "admin",
        can_preview=can_manage_book(actor),
    ), status


@bp.route("/as-of")
@login_required
def as_of():
    """Show every segment's composition at a past date, and one account's tiers then."""
    actor = current_actor()
    form = AsOfForm(request.args, meta={"csrf": False})
    compositions, account_tiers, account = [], None, None
    if request.args and not form.validate():
        return render_template("tiers/as_of.html", form=form, compositions=[]), 400
    if form.date.data:
        # The end of day D in UTC: every change made on D counts as "at D".
        moment = datetime.combine(form.date.data, time.max, tzinfo=UTC)
        compositions = [
            (scheme, history.composition_as_of(db.session, scheme.id, moment, actor))
            for scheme in schemes.active_schemes(db.session)
        ]
        if form.account_id.data:
            try:
                account = accounts.get_account(db.session, actor, form.account_id.data)
            except NotFound:
                abort(404)
            account_tiers = history.tiers_as_of(db.session, account.id, moment)
    return render_template(
        "tiers/as_of.html",
        form=form,
        compositions=compositions,
        account=account,
        account_tiers=account_tiers,
        own_book=not sees_whole_book(actor),
    )


@bp.route("/overrides")
@login_required
def override_list():
    """List the overrides in force on the accounts the user may see, or those expiring soon."""
    page_no = page_arg()
    expiring = EXPIRING_DAYS if request.args.get("expiring") else None
    page = overrides.overrides_page(
        db.session, current_actor(), (page_no - 1) * PER_PAGE, PER_PAGE, expiring_days=expiring
    )
    if page_no > 1 and not page.rows:
        abort(404)  # past the end: the pager never links there
    return render_template(
        "tiers/overrides.html", page=page, page_no=page_no, expiring=expiring, form=RunForm(),
        pages=page_count(page.total, PER_PAGE),
    )  # fmt: skip


@bp.route("/accounts/<int:account_id>/overrides", methods=["POST"])
@roles_required(*MANAGERS)
def add_override(account_id: int):
    """Pin an account's tier; the next run applies it."""
    try:
        accounts.get_account(db.session, current_actor(), account_id)
    except NotFound:
        abort(404)
    form = OverrideForm()
    form.scheme_id.choices = [(s.id, s.name) for s in schemes.active_schemes(db.session)]
    if form.validate_on_submit():
        expires = (
            datetime.combine(form.expires_on.data, time.min, tzinfo=UTC)
            if form.expires_on.data
            else None
        )
        try:
            overrides.create_override(
                db.session,
                current_actor(),
                account_id=account_id,
                scheme_id=form.scheme_id.data,
                tier=form.tier.data.strip(),
                reason=form.reason.data,
                expires_at=expires,
            )
            flash("Override saved; it applies from the next run.", "success")
        except ServiceError as exc:
            details = getattr(exc, "errors", {})
            flash(" ".join(m for ms in details.values() for m in ms) or str(exc), "danger")
    else:
        flash(" ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()), "danger")
    return redirect(url_for("accounts.show", account_id=account_id))


@bp.route("/overrides/<int:override_id>/revoke", methods=["POST"])
@roles_required(*MANAGERS)
def revoke(override_id: int):
    """End an override now."""
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        overrides.revoke_override(db.session, current_actor(), override_id, form.version.data)
    except NotFound:
        abort(404)
    except Conflict as exc:
        flash(str(exc), "danger")
    else:
        flash("Override revoked; the next run re-tiers the account by the rules.", "success")
    return redirect(request.referrer or url_for(".override_list"))
