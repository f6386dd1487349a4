"""Claim rows for one worker: FOR UPDATE SKIP LOCKED on PostgreSQL, one claimer on SQLite."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def claim_rows(
    session: Session,
    table: Table,
    where: ColumnElement[bool],
    order_by: Sequence[ColumnElement],
    limit: int,
    values: Mapping[str, Any],
) -> list[int]:
    """Set `values` on up to `limit` rows matching `where`, first by `order_by`; return their ids.

    One statement picks and marks the rows. On PostgreSQL the pick skips rows another
    claimer holds, so parallel workers take disjoint rows without waiting; SQLite runs one
    writer at a time, so a second claimer waits for the first to commit and then sees its
    rows as claimed.
    """
    pick = select(table.c.id).where(where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(table)
        .where(table.c.id.in_(pick.scalar_subquery()))
        .values(**values)
        .returning(table.c.id)
    )
    return sorted(session.scalars(stmt))


def insert_missing(session: Session, table: Table, rows: list[dict], keys: Sequence[str]) -> None:
    """Insert the rows whose `keys` are not taken yet; leave the others as they are."""
    if not rows:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, rows)
