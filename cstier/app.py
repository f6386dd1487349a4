"""The application factory."""

import logging
import os
from pathlib import Path

from flask import Flask

from cstier.extensions import bootstrap, csrf, db, login_manager, mail, migrate
from cstier.paths import MIGRATIONS_DIR, TEMPLATES_DIR


def create_app(test_config: dict | None = None, env: str | None = None) -> Flask:
    """Create and configure the cstier application."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=os.environ.get("CSTIER_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    configure(app, test_config, env)
    configure_pandas()
    trust_proxies(app)
    register_extensions(app)
    register_shared_state(app)
    register_database_routing(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure_pandas() -> None:
    """Keep pandas' strings in Python objects even where pyarrow is installed.

    pandas 3 stores strings in Arrow when pyarrow is importable. The tiering engine
    compares and gathers tier names as Python objects, so with Arrow strings each such step
    would convert them, and the evaluation would be several times slower.
    """
    import pandas as pd

    pd.set_option("mode.string_storage", "python")


def configure(app: Flask, test_config: dict | None, env: str | None) -> None:
    """Load the config class for the environment, then any test overrides."""
    from config import config_for

    config_class = config_for("testing" if test_config is not None and env is None else env)
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_class.init_app(app)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def trust_proxies(app: Flask) -> None:
    """Take the client address from X-Forwarded-For only as far as the configured proxies set it."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    if app.config["TRUSTED_PROXIES"] > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    from cstier import models  # noqa: F401  (register every table with the metadata)
    from cstier.store.connections import tune_connections

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    mail.init_app(app)
    with app.app_context():
        tune_connections(db.engine)


def register_shared_state(app: Flask) -> None:
    """Connect to the Redis every web host shares, when CSTIER_REDIS_URL names one."""
    from cstier.web.shared_state import connect_shared_state

    connect_shared_state(app)


def register_database_routing(app: Flask) -> None:
    """Time out slow web statements; send dashboards and reports to the read replica if set."""
    from cstier.read_routing import register_read_routing

    register_read_routing(app)


def register_blueprints(app: Flask) -> None:
    """Mount the web UI, the health check and the API."""
    from cstier.api import register_api
    from cstier.web import register_web

    register_web(app)
    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    """Render HTML error pages for the web UI."""
    from cstier.web.errors import register_error_pages

    register_error_pages(app)


def register_security(app: Flask) -> None:
    """Send the security headers (CSP, no framing, HSTS over HTTPS) with every response."""
    from cstier.web.security import register_security_headers

    register_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    """Add the filters and globals the templates use."""
    from cstier.web.formatting import register_formatting

    register_formatting(app)


def register_commands(app: Flask) -> None:
    """Add the cstier CLI commands to `flask`/`cstier`."""
    from cstier.cli import register_cli

    register_cli(app)
