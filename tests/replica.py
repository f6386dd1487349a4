"""A second database standing in for a read replica: same schema, a copy of the rows on demand.

Streaming replication needs a second server; a second database of the same kind, filled by
copying the primary's rows, is what the app sees of a replica (a URL that answers reads), and
rows put only into it show which database a page read.
"""

import os

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from cstier.extensions import db
from tests.conftest import _reset_schema, make_app


def replica_database_url(database_url: str, directory) -> str:
    """Return the replica's URL: <database>_replica on PostgreSQL (created), a second SQLite file."""
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{directory / 'replica.sqlite'}"
    url = make_url(database_url)
    name = f"{url.database}_replica"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def build_replica_schema(replica_url: str, instance_path: str) -> None:
    """Give the replica the primary's schema, from the same migrations."""
    previous = os.environ.get("CSTIER_INSTANCE_PATH")
    builder = make_app(replica_url, instance_path)
    _reset_schema(builder)
    with builder.app_context():
        db.engine.dispose()
    if previous:
        os.environ["CSTIER_INSTANCE_PATH"] = previous


def copy_rows(primary: Engine, replica: Engine) -> None:
    """Make the replica hold exactly the primary's rows, as replication would."""
    tables = db.metadata.sorted_tables
    with primary.connect() as source, replica.begin() as target:
        for table in reversed(tables):
            target.execute(table.delete())
        for table in tables:
            rows = source.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            rows = [dict(r) for r in rows]
            if rows:
                target.execute(insert(table), rows)


def empty(replica: Engine) -> None:
    """Delete every row from the replica."""
    with replica.begin() as target:
        for table in reversed(db.metadata.sorted_tables):
            target.execute(table.delete())


@pytest.fixture(scope="session")
def replica_url(database_url, instance_path, tmp_path_factory) -> str:
    url = replica_database_url(database_url, tmp_path_factory.mktemp("replica"))
    build_replica_schema(url, instance_path)
    return url
