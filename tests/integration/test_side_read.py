"""A read on a second connection: committed data, errors passed on, in-memory SQLite inline."""

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from cstier.models import Account
from cstier.services.side_read import SideRead, can_read_aside
from tests.factories import AccountFactory


def _names(session: Session) -> list[str]:
    return list(session.scalars(select(Account.name).order_by(Account.name)))


def test_reads_committed_data_aside_on_postgresql_in_turn_on_sqlite(db_session):
    AccountFactory(name="Committed")
    postgres = db_session.get_bind().dialect.name == "postgresql"
    assert can_read_aside(db_session) is postgres
    seen = {}

    def read(side: Session) -> list[str]:
        seen["side"] = side
        return _names(side)

    with SideRead(db_session, read) as aside:
        names = aside.result()
    assert names == ["Committed"]
    assert (seen["side"] is not db_session) is postgres


def test_an_error_in_the_side_read_reaches_the_caller(db_session):
    def broken(side: Session):
        side.execute(text("SELECT no_such_column FROM account"))

    with SideRead(db_session, broken) as aside, pytest.raises(Exception, match="no_such_column"):
        aside.result()


def test_sqlite_reads_on_the_session_itself_even_in_memory():
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        session.execute(text("CREATE TABLE note (body TEXT)"))
        session.execute(text("INSERT INTO note VALUES ('uncommitted')"))
        assert not can_read_aside(session)
        read = SideRead(session, lambda s: s.execute(text("SELECT body FROM note")).scalar())
        with read:
            # Another connection would see an empty private database; the session sees its row.
            assert read.result() == "uncommitted"
