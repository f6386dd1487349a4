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


@pytest.fixture
def failing_writes(db_session):
    """Make the database itself refuse some writes to a table, through a trigger on either engine.

    `failing_writes(table, condition)` fails every INSERT and UPDATE of a row where the SQL
    `condition` (over NEW) holds with "disk full"; the triggers are dropped after the test.
    """
    created: list[str] = []
    engine = db.engine

    def fail(table: str, condition: str = "1 = 1", message: str = "disk full") -> None:
        name = f"cstier_test_fail_{table}"
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(
                    text(
                        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                        f"BEGIN IF {condition} THEN RAISE EXCEPTION '{message}'; END IF; "
                        "RETURN NEW; END $$"
                    )
                )
                conn.execute(
                    text(
                        f'CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON "{table}" '
                        f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                    )
                )
            else:
                for event in ("INSERT", "UPDATE"):
                    conn.execute(
                        text(
                            f'CREATE TRIGGER {name}_{event} BEFORE {event} ON "{table}" '
                            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
                        )
                    )
        created.append(table)

    yield fail
    db.session.rollback()  # no transaction of the test may hold the table while it is altered
    with engine.begin() as conn:
        for table in created:
            name = f"cstier_test_fail_{table}"
            if engine.dialect.name == "postgresql":
                conn.execute(text(f'DROP TRIGGER {name} ON "{table}"'))
                conn.execute(text(f"DROP FUNCTION {name}()"))
            else:
                for event in ("INSERT", "UPDATE"):
                    conn.execute(text(f"DROP TRIGGER {name}_{event}"))
