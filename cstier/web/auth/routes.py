"""Sign in and sign out."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from cstier.extensions import db
from cstier.services import users
from cstier.services.errors import SignInUnavailable, TooManyAttempts
from cstier.services.login_limits import LoginLimits
from cstier.web.auth.forms import LoginForm
from cstier.web.shared_state import login_counts

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = users.authenticate(
                db.session,
                form.email.data,
                form.password.data,
                request.remote_addr,
                limits=LoginLimits.from_config(current_app.config),
                counts=login_counts(),
            )
        except (TooManyAttempts, SignInUnavailable) as exc:
            flash(str(exc), "danger")
            return render_template("auth/login.html", form=form), exc.status
        if user is not None:
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            # Only follow local redirects so the login page cannot send users elsewhere.
            if not target or urlsplit(target).netloc or not target.startswith("/"):
                target = url_for("main.dashboard")
            return redirect(target)
        flash("Wrong email or password.", "danger")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out everywhere (POST only, so a link elsewhere cannot sign users out)."""
    if current_user.is_authenticated:
        users.end_sessions(db.session, current_user._get_current_object())
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
