"""Edit a company's departments and contacts, at the version the form was opened at."""

from flask import abort, flash, redirect, render_template, request, url_for

from cstier.extensions import db
from cstier.models import Company, Contact, Department
from cstier.services import companies
from cstier.services.errors import NotFound
from cstier.web.companies.forms import ContactEditForm, DepartmentEditForm
from cstier.web.companies.routes import bp
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.saving import save_or_refuse


def _part_or_404(read_part, company_id: int, part_id: int) -> tuple[Company, Department | Contact]:
    try:
        company = companies.get_company(db.session, current_actor(), company_id)
        return company, read_part(db.session, company.id, part_id)
    except NotFound:
        abort(404)


def _save(form, save, what: str, company: Company):
    """Save the form with `save(values, version)`; return a redirect or the status to show."""
    saved, status = save_or_refuse(form, lambda: save(form.values(), form.version.data))
    if saved is None:
        return status
    flash(f"{what} saved.", "success")
    return redirect(url_for(".show", company_id=company.id))


def _page(form, save, what: str, company: Company, part):
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        outcome = _save(form, save, what, company)
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    page = render_template(
        "companies/part_form.html", form=form, company=company, part=part, what=what
    )
    return page, status


@bp.route("/<int:company_id>/departments/<int:department_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_department(company_id: int, department_id: int):
    """Rename a department; a save over someone else's newer one is refused, the edits kept."""
    company, dept = _part_or_404(companies.get_department, company_id, department_id)
    form = DepartmentEditForm(obj=dept)

    def save(values: dict, version: int) -> Department:
        return companies.update_department(db.session, current_actor(), dept.id, values, version)

    return _page(form, save, "Department", company, dept)


@bp.route("/<int:company_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_contact(company_id: int, contact_id: int):
    """Change a contact; a save over someone else's newer one is refused, the edits kept."""
    company, contact = _part_or_404(companies.get_contact, company_id, contact_id)
    form = ContactEditForm(obj=contact)
    form.department_id.choices = [("", "—")] + [(d.id, d.name) for d in company.departments]

    def save(values: dict, version: int) -> Contact:
        return companies.update_contact(db.session, current_actor(), contact.id, values, version)

    return _page(form, save, "Contact", company, contact)
