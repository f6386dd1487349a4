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
    from cstier.web.alerts import delivery_views  # noqa: F401  (routes on the alerts blueprint)
    from cstier.web.alerts.routes import bp as alerts_bp
    from cstier.web.auth.routes import bp as auth_bp
    from cstier.web.companies.routes import bp as companies_bp
    from cstier.web.coverage.routes import bp as coverage_bp
    from cstier.web.health import account_views, editors  # noqa: F401  (routes on health)
    from cstier.web.health.routes import bp as health_bp
    from cstier.web.imports.routes import bp as imports_bp
    from cstier.web.jobs.routes import bp as jobs_bp
    from cstier.web.main.routes import bp as main_bp
    from cstier.web.metrics.routes import bp as metrics_bp
    from cstier.web.reports import bp as reports_bp
    from cstier.web.tiers import builder, previews, suggest  # noqa: F401  (routes on the tiers blueprint)
    from cstier.web.tiers.routes import bp as tiers_bp
    from cstier.web.weekly_reports import bp as weekly_bp

    register_query_checks(app)  # before any rule is added: rules bind their converters then
    app.context_processor(_notification_bell)

    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    for blueprint in (
        auth_bp,
        main_bp,
        accounts_bp,
        companies_bp,
        tiers_bp,
        reports_bp,
        weekly_bp,
        metrics_bp,
        coverage_bp,
        health_bp,
        imports_bp,
        admin_bp,
        alerts_bp,
        jobs_bp,
    ):
        app.register_blueprint(blueprint)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the signed-in user, or None once their session was ended or has expired."""
    max_age = current_app.config["REMEMBER_COOKIE_DURATION"]
    return users.session_user(db.session, session_id, max_age)


def _notification_bell() -> dict:
    """Give pages the signed-in user's unread count for the navbar's bell, read when shown."""

    def unread_notifications() -> int | None:
        from flask_login import current_user
        from sqlalchemy.exc import SQLAlchemyError

        from cstier.services.alerts_delivery.notifications import unread_count
        from cstier.web.current import current_actor

        if not current_user or not current_user.is_authenticated:
            return None
        try:
            return unread_count(db.session, current_actor())
        except SQLAlchemyError:  # an error page while the database is down still renders
            return None

    return {"unread_notifications": unread_notifications}
