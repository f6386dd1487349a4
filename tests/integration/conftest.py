"""Integration fixtures shared across service areas."""

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cstier.extensions import db
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory


@pytest.fixture
def split_book(db_session, csm, other_csm):
    """One company's two accounts: a Growth one for `csm`, a Strategic one for `other_csm`."""
    ensure_default_schemes(db.session)  # as setting the workspace up does
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    return {
        "mine": AccountFactory(name="Mine", company=company, arr_cents=100_000_00, csm=csm),
        "theirs": AccountFactory(
            name="Theirs", company=company, arr_cents=300_000_00, csm=other_csm
        ),
    }


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the suite's kind (for migration tests), dropped afterwards."""
    url = os.environ.get("CSTIER_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    name = f"cstier_migration_scratch_{os.getpid()}"  # concurrent suites must not share it
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
