"""Configuration classes; their CSTIER_* environment variables are read when an app is created."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CSTIER_{name}") or default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


class Config:
    """Settings shared by every environment."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BOOTSTRAP_SERVE_LOCAL = True  # the app must work offline: no CDN
    BOOTSTRAP_BTN_SIZE = "sm"
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    @classmethod
    def from_environment(cls) -> dict:
        """Read the CSTIER_* variables now, so each new app sees the environment of its start."""
        return {
            "SECRET_KEY": _env("SECRET_KEY"),
            "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL"),  # None: SQLite in the instance
            # Dashboards and reports read here when set (docs/scaling.md).
            "DATABASE_REPLICA_URL": _env("DATABASE_REPLICA_URL"),
            # A browser reads the primary this long after it sent a write (read your writes).
            "REPLICA_STICKY_SECONDS": _env_int("REPLICA_STICKY_SECONDS", 10),
            # A web request's statement is stopped after this long; 0: never.
            "STATEMENT_TIMEOUT_MS": _env_int("STATEMENT_TIMEOUT_MS", 0),
            "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 50) * 1024 * 1024,
            "IMPORT_MAX_ROWS": _env_int("IMPORT_MAX_ROWS", 2_000_000),
            "IMPORT_MAX_COLUMNS": _env_int("IMPORT_MAX_COLUMNS", 500),
            "IMPORT_MAX_UNPACKED_MB": _env_int("IMPORT_MAX_UNPACKED_MB", 1024),
            "UPLOAD_MAX_AGE_HOURS": _env_int("UPLOAD_MAX_AGE_HOURS", 24),
            "ACCOUNTS_PER_PAGE": _env_int("ACCOUNTS_PER_PAGE", 50),
            # The list counts its rows up to this many, then says "more than".
            "ACCOUNTS_COUNT_CAP": _env_int("ACCOUNTS_COUNT_CAP", 200),
            # CSTIER_LOGIN_MAX_FAILURES is the older name of the per-(email, address) limit.
            "LOGIN_MAX_FAILURES_PER_PAIR": _env_int(
                "LOGIN_MAX_FAILURES_PER_PAIR", _env_int("LOGIN_MAX_FAILURES", 5)
            ),
            "LOGIN_MAX_FAILURES_PER_ADDRESS": _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 50),
            "LOGIN_FAILURE_WINDOW_SECONDS": _env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900),
            "LOGIN_MAX_FAILURES_PER_EMAIL": _env_int("LOGIN_MAX_FAILURES_PER_EMAIL", 100),
            "LOGIN_EMAIL_WINDOW_SECONDS": _env_int("LOGIN_EMAIL_WINDOW_SECONDS", 3600),
            "LOGIN_SLOWDOWN_STEP_MS": _env_int("LOGIN_SLOWDOWN_STEP_MS", 250),
            "LOGIN_SLOWDOWN_MAX_MS": _env_int("LOGIN_SLOWDOWN_MAX_MS", 5000),
            # 0: the connecting address is the client.
            "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
            "MAIL_SERVER": _env("MAIL_SERVER", "localhost"),
            "MAIL_PORT": _env_int("MAIL_PORT", 25),
            "MAIL_DEFAULT_SENDER": _env("MAIL_FROM", "cstier@localhost"),
            "MAIL_USERNAME": _env("MAIL_USERNAME", "") or None,
            "MAIL_PASSWORD": _env("MAIL_PASSWORD", "") or None,
            "MAIL_USE_TLS": _env("MAIL_USE_TLS", "") in ("1", "true", "yes"),
            "MAIL_USE_SSL": _env("MAIL_USE_SSL", "") in ("1", "true", "yes"),
            "MAIL_TIMEOUT": _env_int("MAIL_TIMEOUT", 10),
            # Where users reach cstier, for links in emails (e.g. https://cstier.example.com);
            # CSTIER_APP_URL is its older name, still read.
            "BASE_URL": (_env("BASE_URL", "") or _env("APP_URL", "") or "").rstrip("/"),
            # What makes a hidden gem in the weekly report (see docs/guide.md, "Weekly tier review and alerts").
            "HIDDEN_GEM_ARR_SHARE": float(_env("HIDDEN_GEM_ARR_SHARE", "0.8")),
            "HIDDEN_GEM_USAGE_GROWTH": float(_env("HIDDEN_GEM_USAGE_GROWTH", "0.3")),
            "HIDDEN_GEM_USAGE_PERIODS": _env_int("HIDDEN_GEM_USAGE_PERIODS", 3),
            "HIDDEN_GEM_NEEDS_TOP_SHARE": float(_env("HIDDEN_GEM_NEEDS_TOP_SHARE", "0.1")),
            "HIDDEN_GEM_EXPANSION_DAYS": _env_int("HIDDEN_GEM_EXPANSION_DAYS", 90),
            "REMEMBER_COOKIE_DURATION": timedelta(days=_env_int("REMEMBER_DAYS", 14)),
            # Fernet keys, comma-separated: the first encrypts, all decrypt (rotation).
            "ENCRYPTION_KEY": _env("ENCRYPTION_KEY"),
            "WEBHOOK_ALLOWED_HOSTS": [
                h.strip() for h in (_env("WEBHOOK_ALLOWED_HOSTS", "") or "").split(",") if h.strip()
            ],
            "WEBHOOK_TIMEOUT": _env_int("WEBHOOK_TIMEOUT", 5),
            "DELIVERY_MAX_ATTEMPTS": _env_int("DELIVERY_MAX_ATTEMPTS", 12),
            "DELIVERY_MAX_AGE_HOURS": _env_int("DELIVERY_MAX_AGE_HOURS", 72),
            "DELIVERY_LEASE_SECONDS": _env_int("DELIVERY_LEASE_SECONDS", 120),
            # The scheduler process (`cstier scheduler`) and its background-job worker.
            "SCHEDULER_EXPECTED": _env("SCHEDULER_EXPECTED", "") in ("1", "true", "yes"),
            "SCHEDULER_STALE_SECONDS": _env_int("SCHEDULER_STALE_SECONDS", 120),
            "SCHEDULER_GRACE_SECONDS": _env_int("SCHEDULER_GRACE_SECONDS", 3600),
            "SCHEDULER_POLL_SECONDS": _env_int("SCHEDULER_POLL_SECONDS", 10),
            "WORKER_POLL_SECONDS": _env_int("WORKER_POLL_SECONDS", 3),
            "JOB_LEASE_SECONDS": _env_int("JOB_LEASE_SECONDS", 300),
            "IMPORT_FEED_DIR": _env("IMPORT_FEED_DIR"),
            # Redis shared by every web host (login counters); None: they stay in the database.
            "REDIS_URL": _env("REDIS_URL"),
            "REDIS_PREFIX": _env("REDIS_PREFIX", "cstier:"),
        }

    @classmethod
    def init_app(cls, app) -> None:
        """Fill in values that depend on the app's instance folder."""
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            path = Path(app.instance_path) / "cstier.sqlite"
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"


def _instance_encryption_key(app) -> str:
    """Return the instance folder's generated Fernet key, making it on first use."""
    from cryptography.fernet import Fernet

    key_file = Path(app.instance_path) / "encryption_key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
    return key_file.read_text().strip()


class DevelopmentConfig(Config):
    """Local use: a generated secret kept in the instance folder."""

    DEBUG = False

    @classmethod
    def init_app(cls, app) -> None:
        super().init_app(app)
        if not app.config.get("SECRET_KEY"):
            key_file = Path(app.instance_path) / "secret_key"
            if not key_file.exists():
                key_file.write_text(secrets.token_hex(32))
            app.config["SECRET_KEY"] = key_file.read_text().strip()
        if not app.config.get("ENCRYPTION_KEY"):
            app.config["ENCRYPTION_KEY"] = _instance_encryption_key(app)


class TestingConfig(Config):
    """The test suite: PostgreSQL when CSTIER_TEST_DATABASE_URL is set, SQLite otherwise."""

    TESTING = True
    WTF_CSRF_ENABLED = False

    @classmethod
    def from_environment(cls) -> dict:
        """Read the environment, then fix what tests rely on whatever it says."""
        return super().from_environment() | {
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": _env("TEST_DATABASE_URL"),
            "DATABASE_REPLICA_URL": None,
            "LOGIN_MAX_FAILURES_PER_PAIR": 5,
            # Tests past the per-email limit must not sleep for seconds.
            "LOGIN_SLOWDOWN_STEP_MS": 1,
            "LOGIN_SLOWDOWN_MAX_MS": 10,
        }

    @classmethod
    def init_app(cls, app) -> None:
        super().init_app(app)
        if not app.config.get("ENCRYPTION_KEY"):
            app.config["ENCRYPTION_KEY"] = _instance_encryption_key(app)


class ProductionConfig(Config):
    """Production: refuses to start without a secret or an encryption key; HTTPS cookies."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("CSTIER_SECRET_KEY must be set in production")
        if not app.config.get("ENCRYPTION_KEY"):
            raise RuntimeError(
                "CSTIER_ENCRYPTION_KEY must be set in production (a Fernet key: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            )
        super().init_app(app)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """Return the config class named by the argument or CSTIER_ENV (default development)."""
    name = name or _env("ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"CSTIER_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
