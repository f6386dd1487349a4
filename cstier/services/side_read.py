"""Run one read on a second connection while the session's own connection does another.

A re-tier reads the book (accounts and companies) and the current tiers before it can
evaluate anything; each is one long query. PostgreSQL serves each connection from its own
process, so on a 2-core machine the two reads overlap instead of queueing on one
connection (4.8 s in turn, 4.0 s side by side for a 1M-account book). The side read sees
what is committed, as the session's own read would: a run reads before it writes anything
but its run record.

SQLite reads in turn, on the session: two SQLite queries in one process did not overlap
when measured (a 1M book and its tiers took 9.5-10.6 s in turn, 10.4-11.4 s side by side),
and an in-memory database is private to its connection anyway. Nor did a forked child
process with its own connection pay: the book read slowed from 7.2 s to 11.3 s while the
child read the tiers (1.9 s in turn), both on one machine's two cores.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


def can_read_aside(session: Session) -> bool:
    """Tell whether a read on a second connection would run alongside this session's."""
    return session.get_bind().url.get_backend_name() == "postgresql"


class SideRead:
    """Start `read(session)` on a separate session at once; `result()` waits for it.

    Use as a context manager so the worker thread and its connection are always released.
    """

    def __init__(self, session: Session, read: Callable[[Session], T]):
        self._executor: ThreadPoolExecutor | None = None
        self._future: Future | None = None
        self._inline: Callable[[], T] | None = None
        if can_read_aside(session):
            engine = session.get_bind()
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="side-read")
            self._future = self._executor.submit(_read_apart, engine, read)
        else:
            self._inline = lambda: read(session)

    def result(self) -> T:
        """Return what the read returned, re-raising its error if it failed."""
        if self._future is not None:
            return self._future.result()
        return self._inline()

    def __enter__(self) -> "SideRead":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)


def _read_apart(engine, read: Callable[[Session], T]) -> T:
    with Session(bind=engine) as side:
        try:
            return read(side)
        finally:
            side.rollback()
