"""Marks of book writes that stale stored totals: the triggers of migration 0041 add them.

A kind of totals ("tiers", "owners") is current while no mark of its kind exists. Storing
clears the kind's marks before it reads the book, in the same transaction: a write that
committed before is read, a later one leaves its mark (on SQLite the delete takes the write
lock first, so no writer commits in between).
"""

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session

from cstier.models import BookChangeMark

TIERS = "tiers"
OWNERS = "owners"


def clear_marks(session: Session, totals: str) -> None:
    """Delete the marks of one kind of totals; call first in the transaction that stores them."""
    session.execute(delete(BookChangeMark).where(BookChangeMark.totals == totals))


def unmarked(totals: str) -> ColumnElement[bool]:
    """Return the condition that no write marked this kind of totals since they were stored."""
    return ~exists(select(BookChangeMark.id).where(BookChangeMark.totals == totals))
