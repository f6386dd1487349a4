"""The server-rendered web UI."""

from flask import Flask, current_app

from cstier.extensions import db, login_manager
from cstier.models import User
from cstier.services import users
from cstier.web.query import register_query_checks


def register_web(app: Flask) -> None:
    """Register the UI blueprints and the Flask-Login user loader."""
    from cstier.web.accounts.routes import bp as accounts_bp
    from cstier.web.admin.routes import bp as admin_bp
    from cstier.web.auth.routes import bp as auth_bp
    from cstier.web.companies.routes import bp as companies_bp
    from cstier.web.coverage.routes import bp as coverage_bp
    from cstier.web.imports.routes import bp as imports_bp
    from cstier.web.jobs.routes import bp as jobs_bp
    from cstier.web.main.routes import bp as main_bp
    from cstier.web.reports import bp as reports_bp
    from cstier.web.tiers import builder, suggest  # noqa: F401  (routes on the tiers blueprint)
    from cstier.web.tiers.routes import bp as tiers_bp

    register_query_checks(app)  # before any rule is added: rules bind their converters then

    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    for blueprint in (
        auth_bp,
        main_bp,
        accounts_bp,
        companies_bp,
        tiers_bp,
        reports_bp,
        coverage_bp,
        imports_bp,
        admin_bp,
        jobs_bp,
    ):
        app.register_blueprint(blueprint)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the signed-in user, or None once their session was ended or has expired."""
    max_age = current_app.config["REMEMBER_COOKIE_DURATION"]
    return users.session_user(db.session, session_id, max_age)
