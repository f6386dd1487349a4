"""Insert a row or update the one holding its key, in one atomic statement on either engine."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_returning(
    session: Session,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[Column],
    updates: Callable[[Any], Mapping[str, ColumnElement]],
    returning: Sequence[Column],
) -> Row:
    """Insert `values`, or on a conflict over `keys` set `updates(excluded)`; return `returning`.

    `updates` is given the row that was proposed (`excluded`) and returns the columns to
    set. Parallel writers of one key queue on its row, so each sees its own result.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates(stmt.excluded))
    return session.execute(stmt.returning(*returning)).one()
