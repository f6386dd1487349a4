"""A session in a replica request reads the replica and writes the primary."""

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import User
from cstier.store.replica import Replica, start_reading_replica, stop_reading_replica
from tests.factories import UserFactory
from tests.replica import copy_rows, empty, replica_url  # noqa: F401  (fixture)


@pytest.fixture
def replica(app_ctx, replica_url):  # noqa: F811
    """A replica holding the primary's users plus one only it has."""
    UserFactory(email="both@example.com")
    found = Replica(replica_url, {})
    copy_rows(db.engine, found.engine)
    with found.engine.begin() as conn:
        conn.execute(User.__table__.insert(), [only_replica()])
    db.session.close()
    yield found
    empty(found.engine)
    found.dispose()


def only_replica() -> dict:
    return {"id": 900_001, "email": "replica@example.com", "name": "Only", "password_hash": "x"}


def emails(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(User.email)))


def test_reads_go_to_the_replica_and_writes_to_the_primary(replica):
    token = start_reading_replica(replica)
    try:
        read = set(db.session.scalars(select(User.email)))
        db.session.add(User(email="new@example.com", name="New", role="csm", password_hash="x"))
        db.session.commit()
        locked = set(db.session.scalars(select(User.email).with_for_update()))
    finally:
        stop_reading_replica(token)

    assert read == {"both@example.com", "replica@example.com"}
    assert emails(db.engine) == {"both@example.com", "new@example.com"}
    assert "new@example.com" not in emails(replica.engine)
    assert locked == {"both@example.com", "new@example.com"}  # a locking read: the primary


def test_without_a_replica_everything_reads_the_primary(replica):
    token = start_reading_replica(None)
    try:
        read = set(db.session.scalars(select(User.email)))
    finally:
        stop_reading_replica(token)

    assert read == {"both@example.com"}
