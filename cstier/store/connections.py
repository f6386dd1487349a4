"""Set up each new database connection the way the store relies on."""

from collections.abc import Callable

from sqlalchemy import Engine, event

# PostgreSQL's SQLSTATE for a statement cancelled, by its statement_timeout among others.
QUERY_CANCELED = "57014"


def tune_connections(engine: Engine) -> None:
    """On SQLite, turn on foreign keys and WAL for every new connection so readers never block the writer.

    PostgreSQL enforces foreign keys and lets readers go on while a writer works by itself.
    """
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
    """Cancel a statement after timeout_ms on PostgreSQL while `applies()` (a web request) says so.

    Each pooled connection remembers its setting and is set again only when a checkout wants
    another one, so a web process pays one SET per connection and a scheduler none. SQLite has
    no statement timeout: there a slow page holds its worker until the query ends.
    """
    if engine.dialect.name != "postgresql" or timeout_ms <= 0:
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


def statement_timed_out(error: BaseException) -> bool:
    """Return whether a database error is a statement cancelled by its timeout."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == QUERY_CANCELED
