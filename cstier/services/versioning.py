"""Optimistic locking for every editable resource: a read check and the UPDATE's own check."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cstier.services.errors import Conflict


def conflict_message(what: str) -> str:
    """Return the message a user sees when someone else saved `what` first."""
    return (
        f"Someone else saved this {what} after you opened it. "
        "Reload to see their changes, then apply yours again."
    )


def check_version(entity: object, expected_version: int | None, what: str) -> None:
    """Refuse an edit made on a version that is no longer the stored one."""
    if expected_version is None or entity.version != expected_version:  # type: ignore[attr-defined]
        raise Conflict(conflict_message(what))


@contextmanager
def guarded_write(session: Session, what: str, *, key_race: bool = False) -> Iterator[None]:
    """Flush the block's changes; a concurrent save is a Conflict, never a lost update.

    The version test in the UPDATE catches the writer that read before another's commit. With
    `key_race`, a key the block's checks found free (two first saves of one row, an external id,
    a pool an account joined meanwhile) but another writer took first is a Conflict too.
    """
    caught: tuple[type[Exception], ...] = (StaleDataError,)
    if key_race:
        caught = (StaleDataError, IntegrityError)
    try:
        yield
        session.flush()
    except caught as exc:
        session.rollback()
        raise Conflict(conflict_message(what)) from exc
