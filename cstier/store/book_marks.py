"""Marks of book writes that stale stored totals: the triggers of migration 0041 add them.

A kind of totals ("tiers", "owners") is current while no mark of its kind exists. Storing
clears the kind's marks before it reads the book, in the same transaction: a write that
committed before is read, a later one leaves its mark. Only PostgreSQL marks (statement
triggers); SQLite's row triggers slowed bulk writes threefold, so there nothing is stored
and the pages count live.
"""

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session

from cstier.models import BookChangeMark

TIERS = "tiers"
OWNERS = "owners"


def writes_are_marked(session: Session) -> bool:
    """Return whether the database marks book writes, so stored totals can be trusted."""
    return session.get_bind().dialect.name == "postgresql"


def clear_marks(session: Session, totals: str) -> None:
    """Delete the marks of one kind of totals; call first in the transaction that stores them."""
    session.execute(delete(BookChangeMark).where(BookChangeMark.totals == totals))


def unmarked(totals: str) -> ColumnElement[bool]:
    """Return the condition that no write marked this kind of totals since they were stored."""
    return ~exists(select(BookChangeMark.id).where(BookChangeMark.totals == totals))
