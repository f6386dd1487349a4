"""Run one chunk's writes on a background thread while the main thread compares the next chunk."""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session


def can_write_in_background(session: Session) -> bool:
    """Return whether the driver connection may be used from another thread.

    PostgreSQL connections may; SQLAlchemy opens SQLite files with check_same_thread off,
    but an in-memory database lives in one thread only.
    """
    url = session.get_bind().url
    return url.get_backend_name() == "postgresql" or url.database not in (None, "", ":memory:")


class Writer:
    """At most one write in flight: the database works while Python prepares the next chunk.

    The work handed in touches only a connection taken in the main thread, never the session
    (Flask-SQLAlchemy scopes sessions to the app context of the calling thread). Callers
    wait() before they read through the session themselves.
    """

    def __init__(self, background: bool) -> None:
        self._pool = (
            ThreadPoolExecutor(1, thread_name_prefix="cstier-import") if background else None
        )
        self._pending: Future | None = None

    def submit(self, work: Callable[[], None]) -> None:
        """Start work once the previous write is done (run it at once without a thread)."""
        self.wait()
        if self._pool is None:
            work()
        else:
            self._pending = self._pool.submit(work)

    def wait(self) -> None:
        """Block until the write in flight is done; raise what it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the write in flight, even when failing, so a rollback never races it."""
        try:
            if self._pending is not None:
                self._pending.exception()  # the caller already handles its own failure
        finally:
            self._pending = None
            if self._pool is not None:
                self._pool.shutdown(wait=True)
