"""Set up each new database connection the way the store relies on."""

import sqlite3
import time
from collections.abc import Callable

from sqlalchemy import Engine, event

# PostgreSQL's SQLSTATE for a statement cancelled, by its statement_timeout among others.
QUERY_CANCELED = "57014"
# SQLite virtual-machine steps between two looks at a statement's deadline.
SQLITE_PROGRESS_STEPS = 10_000


def serve_pages_serially(engine: Engine) -> None:
    """Plan a web host's statements without parallel workers (PostgreSQL; no-op elsewhere).

    A page reads a few rows: starting workers took longer than its whole statement, and under
    several users they only compete for the same cores. Batch processes keep them.
    """
    if engine.dialect.name == "postgresql":
        _set_on_connect(engine, "SET max_parallel_workers_per_gather = 0")


def _set_on_connect(engine: Engine, setting: str) -> None:
    """Run a PostgreSQL SET on every new connection, committed so no rollback undoes it."""

    @event.listens_for(engine, "connect")
    def _set(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(setting)
        cursor.close()
        dbapi_connection.commit()


def tune_connections(engine: Engine) -> None:
    """Set up every new connection.

    SQLite: foreign keys and WAL, so readers never block the writer. PostgreSQL enforces
    foreign keys and lets readers go on by itself; its JIT is turned off, because a page's
    statement over a large table is estimated dear enough to compile (100 ms and more) though
    its LIMIT reads a few rows.
    """
    if engine.dialect.name == "postgresql":
        _set_on_connect(engine, "SET jit = off")
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def limit_statements(engine: Engine, timeout_ms: int, applies: Callable[[], bool]) -> None:
    """Cancel a statement after timeout_ms while `applies()` (in a web request) says so.

    PostgreSQL: each pooled connection remembers its statement_timeout and is set again only
    when a checkout wants another one, so a web process pays one SET per connection and a
    scheduler none. SQLite has no statement timeout: a progress handler interrupts a statement
    that runs past its deadline instead.
    """
    if timeout_ms <= 0:
        return
    if engine.dialect.name == "sqlite":
        _interrupt_late_statements(engine, timeout_ms, applies)
        return
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        wanted = int(timeout_ms) if applies() else 0
        if record.info.get("statement_timeout_ms", 0) != wanted:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET statement_timeout = {wanted}")
            cursor.close()
            dbapi_connection.commit()  # a later rollback of the request must not undo it
            record.info["statement_timeout_ms"] = wanted


def _interrupt_late_statements(
    engine: Engine, timeout_ms: int, applies: Callable[[], bool]
) -> None:
    """Give each SQLite statement run where `applies()` a deadline its progress handler enforces."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        info = record.info

        def past_deadline() -> int:
            deadline = info.get("statement_deadline")
            return int(deadline is not None and time.monotonic() > deadline)

        dbapi_connection.set_progress_handler(past_deadline, SQLITE_PROGRESS_STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, _statement, _parameters, _context, _executemany):
        deadline = time.monotonic() + timeout_ms / 1000 if applies() else None
        connection.connection.info["statement_deadline"] = deadline

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        # A request's deadline must not follow its connection to the next user of the pool.
        if record is not None and record.info is not None:
            record.info["statement_deadline"] = None


def statement_timed_out(error: BaseException) -> bool:
    """Return whether a database error is a statement cancelled by its timeout."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == QUERY_CANCELED:
        return True
    return isinstance(original, sqlite3.OperationalError) and str(original) == "interrupted"
