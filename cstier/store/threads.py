"""Database work on a background thread, one piece at a time, while the main thread goes on.

Both drivers let the calling thread go while the database works, so an import's writes and
a book read's queries overlap with Python on the other core.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.engine import URL


def shareable_across_threads(url: URL) -> bool:
    """Return whether the driver connection may be used from another thread, one at a time.

    PostgreSQL connections may; SQLAlchemy opens SQLite files with check_same_thread off,
    but an in-memory database lives in one thread only.
    """
    return url.get_backend_name() == "postgresql" or url.database not in (None, "", ":memory:")


class InFlight:
    """At most one piece of database work in flight: the database works while Python goes on.

    The work handed in touches only a connection taken in the main thread, never the session
    (Flask-SQLAlchemy scopes sessions to the app context of the calling thread). Callers
    wait() before they read through the session themselves.
    """

    def __init__(self, background: bool) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="cstier-db") if background else None
        self._pending: Future | None = None

    def submit(self, work: Callable[[], None]) -> None:
        """Start work once the previous work is done (run it at once without a thread)."""
        self.wait()
        if self._pool is None:
            work()
        else:
            self._pending = self._pool.submit(work)

    def wait(self) -> None:
        """Block until the work in flight is done; raise what it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the work in flight, even when failing, so a rollback never races it."""
        try:
            if self._pending is not None:
                self._pending.exception()  # the caller already handles its own failure
        finally:
            self._pending = None
            if self._pool is not None:
                self._pool.shutdown(wait=True)
