"""Admin pages: users, workspace settings and custom attributes (admins only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from cstier.domain.customer import choices_text
from cstier.extensions import db
from cstier.services import users, workspace
from cstier.services.errors import NotFound
from cstier.web.admin.forms import (
    CustomAttributeEditForm,
    CustomAttributeForm,
    EditUserForm,
    NewUserForm,
    WorkspaceForm,
)
from cstier.web.current import roles_required
from cstier.web.saving import save_or_refuse

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def user_list():
    """List users and create new ones."""
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        user, status = save_or_refuse(
            form,
            lambda: users.create_user(
                db.session, form.email.data, form.password.data, form.role.data, form.name.data
            ),
        )
        if user is not None:
            flash(f"User {user.email} created.", "success")
            return redirect(url_for(".user_list"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/users.html", form=form, users=users.list_users(db.session)
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int):
    """Edit one user."""
    try:
        user = users.get_user(db.session, user_id)
    except NotFound:
        abort(404)
    form = EditUserForm(obj=user)
    status = 200
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            flash("You cannot remove your own admin role or deactivate yourself.", "danger")
            status = 400
        else:
            saved, status = save_or_refuse(
                form,
                lambda: users.update_user(
                    db.session,
                    user.id,
                    role=form.role.data,
                    active=form.active.data,
                    name=form.name.data,
                    new_password=form.password.data or None,
                    expected_version=form.version.data,
                ),
            )
            if saved is not None:
                if form.password.data and user.id == current_user.id:
                    login_user(user)  # keep this session; the admin's other sessions end
                flash(f"User {user.email} saved.", "success")
                return redirect(url_for(".user_list"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_edit.html", form=form, user=user), status


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    """Edit workspace settings and custom attribute definitions."""
    ws = workspace.read_workspace(db.session)
    form = WorkspaceForm(obj=ws)
    attr_form = CustomAttributeForm(prefix="attr")
    status = 200
    if form.submit.data and form.validate_on_submit():
        saved, status = save_or_refuse(
            form,
            lambda: workspace.update_workspace(
                db.session,
                name=form.name.data,
                account_unit=form.account_unit.data,
                timezone=form.timezone.data.strip(),
                currency=form.currency.data,
                expected_version=form.version.data,
            ),
        )
        if saved is not None:
            flash("Settings saved.", "success")
            return redirect(url_for(".settings"))
    elif attr_form.submit.data and attr_form.validate_on_submit():
        choices = attr_form.choice_list()
        added, status = save_or_refuse(
            attr_form,
            lambda: workspace.add_custom_attribute(
                db.session,
                key=attr_form.key.data.strip(),
                label=attr_form.label.data.strip(),
                data_type=attr_form.data_type.data,
                category=attr_form.category.data,
                choices=choices,
            ),
        )
        if added is not None:
            flash("Attribute added.", "success")
            return redirect(url_for(".settings"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/settings.html",
        form=form,
        attr_form=attr_form,
        attributes=workspace.list_custom_attributes(db.session),
    ), status


@bp.route("/attributes/<int:attribute_id>", methods=["GET", "POST"])
@roles_required("admin")
def attribute_edit(attribute_id: int):
    """Edit a custom attribute's label, category or choices; its key and type stay."""
    try:
        attribute = workspace.get_custom_attribute(db.session, attribute_id)
    except NotFound:
        abort(404)
    form = CustomAttributeEditForm(obj=attribute)
    if request.method == "GET":
        form.choices.data = choices_text(attribute.choices or [])
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        saved, status = save_or_refuse(
            form,
            lambda: workspace.update_custom_attribute(
                db.session,
                attribute.id,
                label=form.label.data,
                category=form.category.data,
                choices=form.choice_list(),
                expected_version=form.version.data,
            ),
        )
        if saved is not None:
            flash(f"Attribute {attribute.key} saved.", "success")
            return redirect(url_for(".settings"))
    return render_template("admin/attribute_edit.html", form=form, attribute=attribute), status
