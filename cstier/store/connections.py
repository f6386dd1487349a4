"""Set up each new database connection the way the store relies on."""

from sqlalchemy import Engine, event


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
