"""One unit of work per use case: commit when it ends, roll back when it fails."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit the block's changes if it ends normally; roll them back and re-raise if not."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
