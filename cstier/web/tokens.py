"""The API tokens page: a signed-in user creates, lists and revokes their own tokens."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from cstier.extensions import db
from cstier.services import tokens
from cstier.services.errors import NotFound
from cstier.web.saving import save_or_refuse

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


class NewTokenForm(FlaskForm):
    """Name a new token after what will use it."""

    name = StringField(
        "Token name", validators=[DataRequired(), Length(max=tokens.MAX_NAME_LENGTH)]
    )
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    """Confirm a revocation (the CSRF token is the point)."""


def _page(form: NewTokenForm, new_token: str | None = None, status: int = 200):
    html = render_template(
        "tokens/index.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=tokens.list_tokens(db.session, current_user.id),
        new_token=new_token,
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"  # the new token must not linger in caches
    return response


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """List the user's tokens; create one and show it this once."""
    form = NewTokenForm()
    if form.validate_on_submit():
        created, status = save_or_refuse(
            form, lambda: tokens.create_token(db.session, current_user, form.name.data)
        )
        if created is None:
            return _page(form, status=status)
        return _page(NewTokenForm(formdata=None), new_token=created[1])
    return _page(form, status=400 if form.is_submitted() else 200)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of the user's own tokens."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        token = tokens.revoke_token(db.session, token_id, owner_id=current_user.id)
    except NotFound:
        abort(404)
    flash(f"Token {token.name} ({token.prefix}…) revoked; requests with it now get 401.", "success")
    return redirect(url_for(".index"))
