"""Marks of book writes that stale stored totals: the triggers of migration 0041 add them.

A kind of totals ("tiers", "owners") is current while no mark of its kind exists. Storing
clears the kind's marks before it reads the book, in the same transaction: a write that
committed before is read, a later one leaves its mark. Only PostgreSQL marks (statement
triggers); SQLite's row triggers slowed bulk writes threefold, so there nothing is stored
and the pages count live.
"""

from collections.abc import Callable

from sqlalchemy import ColumnElement, delete, exists, insert, select
from sqlalchemy.orm import Session

from cstier.models import BookChangeMark

TIERS = "tiers"
OWNERS = "owners"
MOVES = "moves"
MOVES_ARR = "moves_arr"
RENEWALS = "renewals"


def writes_are_marked(session: Session) -> bool:
    """Return whether the database marks book writes, so stored totals can be trusted."""
    return session.get_bind().dialect.name == "postgresql"


def unmarked(totals: str) -> ColumnElement[bool]:
    """Return the condition that no write marked this kind of totals since they were stored."""
    return ~exists(select(BookChangeMark.id).where(BookChangeMark.totals == totals))


def replace_totals(
    session: Session, totals: str | tuple[str, ...], table, read_rows: Callable[[], list[dict]]
) -> int:
    """Clear the kinds' marks, then replace the table's rows with read_rows(); return how many.

    In that order and in the caller's transaction: a write committed before is in the rows,
    a later one leaves its mark.
    """
    kinds = (totals,) if isinstance(totals, str) else totals
    session.execute(delete(BookChangeMark).where(BookChangeMark.totals.in_(kinds)))
    rows = read_rows()
    session.execute(delete(table))
    if rows:
        session.execute(insert(table), rows)
    return len(rows)
