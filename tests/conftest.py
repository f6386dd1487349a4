"""Fixtures chained app -> db -> objects; PostgreSQL when CSTIER_TEST_DATABASE_URL is set."""

import os

import pytest
from sqlalchemy import text

from cstier import create_app
from cstier.extensions import db
from tests.factories import PASSWORD, UserFactory


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("CSTIER_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def make_app(database_url: str, instance_path: str, **overrides):
    """Create an app for tests on the shared test database."""
    config = {"SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    os.environ["CSTIER_INSTANCE_PATH"] = instance_path
    return create_app(test_config=config)


def _reset_schema(app) -> None:
    """Drop everything and build the schema from the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="session")
def app(database_url, instance_path):
    """One app for the whole session; the schema comes from the Alembic migrations."""
    application = make_app(database_url, instance_path)
    _reset_schema(application)
    return application


def truncate_all(app) -> None:
    """Empty every table between tests."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        # DELETE in reverse dependency order: on small tables it is ~30x faster than TRUNCATE.
        with db.engine.begin() as conn:
            for name in reversed(tables):
                conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Give every test that touches the database empty tables."""
    yield
    if "app" in request.fixturenames:
        truncate_all(request.getfixturevalue("app"))


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def db_session(app_ctx):
    """The Flask-SQLAlchemy session inside an app context."""
    yield db.session
    db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def admin(db_session):
    return UserFactory(role="admin", email="admin@example.com", name="Ada Admin")


@pytest.fixture
def manager(db_session):
    return UserFactory(role="cs_manager", email="manager@example.com", name="Mia Manager")


@pytest.fixture
def csm(db_session):
    return UserFactory(role="csm", email="csm@example.com", name="Cleo CSM")


@pytest.fixture
def other_csm(db_session):
    return UserFactory(role="csm", email="other@example.com", name="Otto Other")


@pytest.fixture
def viewer(db_session):
    return UserFactory(role="viewer", email="viewer@example.com", name="Vic Viewer")


class AuthActions:
    """Sign a test client in and out."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
