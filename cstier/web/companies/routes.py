"""Company pages: list, show with hierarchy, departments and contacts; create and edit."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.customer import REGIONS
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.models import Company
from cstier.services import accounts, companies
from cstier.services.companies import CompanyFilter
from cstier.services.errors import NotFound, ValidationFailed
from cstier.web.companies.forms import CompanyForm, ContactForm, DepartmentForm
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import page_arg, text_arg
from cstier.web.saving import save_or_refuse

bp = Blueprint("companies", __name__, url_prefix="/companies")


@bp.route("/")
@login_required
def index():
    """List companies with their account count and ARR, filtered, sorted and paginated."""
    flt = CompanyFilter(
        q=text_arg("q"),
        region=text_arg("region"),
        industry=text_arg("industry"),
        sort=text_arg("sort") or "name",
        descending=request.args.get("dir") == "desc",
    )
    page_no = page_arg()
    per_page = 50
    page = companies.list_page(db.session, current_actor(), flt, page_no, per_page)
    rows, total = page.rows, page.total
    pages = max((total + per_page - 1) // per_page, 1)
    if page_no > pages:
        abort(404)
    return render_template(
        "companies/index.html",
        rows=rows,
        flt=flt,
        total=total,
        page_no=page_no,
        pages=pages,
        regions=REGIONS,
        industries=accounts.filter_choices(db.session, current_actor())["industries"],
    )


def _get_or_404(company_id: int) -> Company:
    try:
        return companies.get_company(db.session, current_actor(), company_id)
    except NotFound:
        abort(404)


@bp.route("/<int:company_id>")
@login_required
def show(company_id: int):
    """Show a company with its parent chain, subsidiaries, departments, contacts and accounts."""
    company = _get_or_404(company_id)
    book = accounts.company_accounts(db.session, current_actor(), company.id)
    dept_form, contact_form = DepartmentForm(), ContactForm()
    contact_form.department_id.choices = [("", "—")] + [(d.id, d.name) for d in company.departments]
    return render_template(
        "companies/show.html",
        company=company,
        ancestry=companies.ancestry(company),
        accounts=book,
        dept_form=dept_form,
        contact_form=contact_form,
        can_edit=can_manage_book(current_actor()),
    )


def _company_form(company: Company | None) -> CompanyForm:
    form = CompanyForm(obj=company)
    if company is not None and request.method == "GET":
        form.load(company)
    exclude = company.id if company else None
    form.parent_id.choices = [("", "— none —")] + companies.company_choices(db.session, exclude)
    return form


def _save(form: CompanyForm, company: Company | None):
    """Save the form; return a redirect, or the status to show the form again with."""
    actor = current_actor()

    def save() -> Company:
        if company is None:
            return companies.create_company(db.session, actor, form.values())
        version = form.version.data
        return companies.update_company(db.session, actor, company.id, form.values(), version)

    saved, status = save_or_refuse(form, save)
    if saved is None:
        return status
    flash(f"Company {saved.name} saved.", "success")
    return redirect(url_for(".show", company_id=saved.id))


def _form_page(company: Company | None):
    form = _company_form(company)
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        outcome = _save(form, company)
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    return render_template("companies/form.html", form=form, company=company), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create():
    """Create a company."""
    return _form_page(None)


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(company_id: int):
    """Edit a company; a save over someone else's newer one is refused, the edits kept."""
    return _form_page(_get_or_404(company_id))


@bp.route("/<int:company_id>/departments", methods=["POST"])
@roles_required(*MANAGERS)
def add_department(company_id: int):
    """Add a department to a company."""
    company = _get_or_404(company_id)
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            companies.add_department(
                db.session,
                current_actor(),
                company.id,
                form.name.data.strip(),
                form.external_id.data.strip(),
            )
            flash("Department added.", "success")
        except ValidationFailed as exc:
            flash(" ".join(m for ms in exc.errors.values() for m in ms), "danger")
    else:
        flash("The department needs a name and an external id.", "danger")
    return redirect(url_for(".show", company_id=company.id))


@bp.route("/<int:company_id>/contacts", methods=["POST"])
@roles_required(*MANAGERS)
def add_contact(company_id: int):
    """Add a contact to a company."""
    company = _get_or_404(company_id)
    form = ContactForm()
    form.department_id.choices = [("", "—")] + [(d.id, d.name) for d in company.departments]
    if form.validate_on_submit():
        values = {
            k: form.data[k]
            for k in ("name", "external_id", "email", "title", "role", "department_id")
        }
        values["email"] = values["email"] or None
        try:
            companies.add_contact(db.session, current_actor(), company.id, values)
            flash("Contact added.", "success")
        except ValidationFailed as exc:
            flash(" ".join(m for ms in exc.errors.values() for m in ms), "danger")
    else:
        flash(" ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()), "danger")
    return redirect(url_for(".show", company_id=company.id))


# Department and contact edits register their routes on this blueprint.
from cstier.web.companies import part_views  # noqa: E402, F401
