"""Account pages: the filtered list, one account, create and edit."""

from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cstier.domain.numbers import is_finite
from cstier.domain.permissions import can_edit_account, can_manage_book
from cstier.extensions import db
from cstier.models import Account
from cstier.services import account_list, accounts, audit, companies, users, workspace
from cstier.services.errors import Forbidden, NotFound
from cstier.services.metrics import account_mrr
from cstier.services.metrics.churned import churned_among, churned_since
from cstier.services.tiering import current_arr
from cstier.services.tiering import history as tier_history
from cstier.services.tiering import overrides as tier_overrides
from cstier.services.tiering import schemes as tier_schemes
from cstier.web.accounts.filters import account_filter, filter_form
from cstier.web.accounts.forms import AccountForm, attribute_fields
from cstier.web.current import current_actor
from cstier.web.query import id_arg, page_arg
from cstier.web.saving import save_or_refuse
from cstier.web.tiers.forms import OverrideForm

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.route("/")
@login_required
def index():
    """List the visible accounts, filtered, sorted and paginated on the server."""
    form, valid = filter_form(request.args)
    if not valid:
        flash("Some filters were not understood and were ignored.", "warning")
    flt = account_filter(form)
    per_page = min(form.per_page.data or current_app.config["ACCOUNTS_PER_PAGE"], 200)
    cap = current_app.config["ACCOUNTS_COUNT_CAP"]
    page = account_list.list_page(db.session, current_actor(), flt, page_arg(), per_page, cap)
    if page.page > 1 and not page.items:
        abort(404)  # past the last page, as the pager never links
    listed = [row.account for row in page.items]
    current_arr.with_current_arr(db.session, listed)
    return render_template(
        "accounts/index.html",
        form=form,
        page=page,
        flt=flt,
        tier_sort=accounts.tier_sort,
        tier_filter=_tier_filter_label(page, flt),
        churned=churned_among(db.session, [a.id for a in listed]),
    )


@bp.route("/csm-options")
@login_required
def csm_options():
    """Return every CSM as options of the list's CSM filter, loaded when a large team's is opened."""
    if current_user.role == "csm":
        abort(404)  # a CSM's list has no CSM filter
    return render_template(
        "accounts/_csm_options.html",
        csms=users.csm_choices(db.session),
        selected=request.args.get("selected", ""),
    )


def _tier_filter_label(page, flt) -> str | None:
    """Return how the active tier filter reads on its chip, or None without one."""
    if not (flt.tier_scheme_id and flt.tier):
        return None
    names = {c.scheme_id: c.name for c in page.columns}
    return f"{names.get(flt.tier_scheme_id, f'Scheme {flt.tier_scheme_id}')}: {flt.tier}"


@bp.route("/<int:account_id>")
@login_required
def show(account_id: int):
    """Show one account with its company, owner, attributes and audit history."""
    actor = current_actor()
    account = _get_or_404(account_id)
    definitions = workspace.attributes_by_label(db.session)
    override_form = OverrideForm()
    override_form.scheme_id.choices = [
        (s.id, s.name) for s in tier_schemes.active_schemes(db.session)
    ]
    current = current_arr.account_current_arr(db.session, account)
    churned = churned_since(db.session, account.id)
    mrr = account_mrr.mrr_history(db.session, account)
    tiers, timeline = tier_history.tiers_and_timeline(db.session, account.id)
    return render_template(
        "accounts/show.html",
        account=account,
        current=current,
        churned=churned,
        mrr=mrr,
        definitions=definitions,
        history=audit.history(db.session, "account", account.id),
        can_edit=can_edit_account(actor, account.csm_id),
        tiers=tiers,
        timeline=timeline,
        overrides=tier_overrides.live_overrides(db.session, account.id),
        override_form=override_form,
        can_override=can_manage_book(actor),
    )


def _get_or_404(account_id: int) -> Account:
    try:
        return accounts.get_account(db.session, current_actor(), account_id)
    except NotFound:
        abort(404)


def _build_form(account: Account | None, company_id: int | None):
    definitions = workspace.attributes_by_label(db.session)
    form_class = type("BoundAccountForm", (AccountForm,), attribute_fields(definitions))
    data = {}
    if account is not None and request.method == "GET":
        data = {f"attr_{d.key}": _attr_value(d, account.attributes.get(d.key)) for d in definitions}
        data["arr"] = Decimal(account.arr_cents) / 100
        data["version"] = account.version
    if account is None and request.method == "GET":
        # New accounts default to the unit the workspace serves (company, department, person).
        data["unit_type"] = workspace.read_workspace(db.session).account_unit
    form = form_class(obj=account, data=data)
    if can_manage_book(current_actor()):
        company_choices = companies.company_choices(db.session)
    else:
        # A CSM cannot move an account, so list its own company rather than every company.
        company_choices = [(account.company_id, account.company.name)] if account else []
    form.company_id.choices = [("", "— choose a company —")] + company_choices
    chosen = form.company_id.data or company_id
    _link_choices(form, chosen)
    form.csm_id.choices = [("", "Unassigned")] + [
        (u.id, u.name) for u in users.csm_choices(db.session)
    ]
    if account is not None and account.csm is not None and not account.csm.active:
        form.csm_id.choices.append((account.csm.id, f"{account.csm.name} (inactive)"))
    if not can_manage_book(current_actor()):
        for name in ("csm_id", "company_id", "external_id"):
            getattr(form, name).render_kw = {"disabled": True}
    return form, definitions


def _link_choices(form, company_id: int | None) -> None:
    depts = contacts = []
    if company_id:
        depts = companies.departments_of(db.session, company_id)
        contacts = companies.contacts_of(db.session, company_id)
    form.department_id.choices = [("", "—")] + [(d.id, d.name) for d in depts]
    form.contact_id.choices = [("", "—")] + [(c.id, f"{c.name} ({c.role})") for c in contacts]


def _attr_value(definition, raw):
    if raw is None:
        return None
    if definition.data_type == "date":
        return date.fromisoformat(raw)
    if definition.data_type == "number":
        # A value stored before numbers were checked shows as empty, not as a 500.
        return Decimal(str(raw)) if is_finite(raw) else None
    return raw


def _attributes_from(form, definitions, current: dict) -> dict:
    attributes = dict(current or {})
    for d in definitions:
        value = getattr(form, f"attr_{d.key}").data
        if value in (None, ""):
            attributes.pop(d.key, None)
        elif d.data_type == "number":
            attributes[d.key] = float(value)
        elif d.data_type == "date":
            attributes[d.key] = value.isoformat()
        else:
            attributes[d.key] = value
    return attributes


@bp.route("/links")
@login_required
def links():
    """Return the department and contact selects for a company the user may see (htmx partial)."""
    company_id = id_arg("company_id")
    if company_id is not None:
        try:
            companies.get_company(db.session, current_actor(), company_id)
        except NotFound:
            abort(404)
    form, _ = _build_form(None, company_id)
    return render_template("accounts/_links.html", form=form)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Create an account (managers and admins)."""
    actor = current_actor()
    if not can_manage_book(actor):
        abort(403)
    form, definitions = _build_form(None, id_arg("company_id"))
    status = 200
    if form.validate_on_submit():
        values = form.values() | {"attributes": _attributes_from(form, definitions, {})}
        account, status = save_or_refuse(
            form, lambda: accounts.create_account(db.session, actor, values)
        )
        if account is not None:
            flash(f"Account {account.name} created.", "success")
            return redirect(url_for(".show", account_id=account.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "accounts/form.html", form=form, account=None, definitions=definitions
    ), status


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@login_required
def edit(account_id: int):
    """Edit an account: managers any, a CSM their own; refuse stale edits."""
    actor = current_actor()
    account = _get_or_404(account_id)
    if not can_edit_account(actor, account.csm_id):
        abort(403)
    form, definitions = _build_form(account, account.company_id)
    if not can_manage_book(actor) and request.method == "POST":
        # Disabled fields are not posted: keep the stored values.
        form.csm_id.data, form.company_id.data = account.csm_id, account.company_id
        form.external_id.data = account.external_id
    status = 200
    if form.validate_on_submit():
        values = form.values() | {
            "attributes": _attributes_from(form, definitions, account.attributes)
        }
        try:
            saved, status = save_or_refuse(
                form,
                lambda: accounts.update_account(
                    db.session, actor, account_id, values, expected_version=form.version.data
                ),
            )
        except Forbidden:
            abort(403)
        if saved is not None:
            flash("Account saved.", "success")
            return redirect(url_for(".show", account_id=account_id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "accounts/form.html", form=form, account=account, definitions=definitions
    ), status
