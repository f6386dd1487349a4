"""Bulk writes for book-wide jobs: COPY on PostgreSQL, executemany on SQLite, in the session's transaction."""

import itertools
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cstier.models import TierChange

# An UPDATE … FROM looks keys up while it changes at most 1 in LOOKUP_SHARE rows of the table.
LOOKUP_SHARE = 4


class BulkWriter:
    """Write plain row tuples through the session's own DBAPI connection.

    Going below the ORM and Core matters at scale: building and binding a dict
    per row costs more than the database spends storing it. The rows share the
    session's transaction, so a failed run rolls them back with everything else.
    """

    def __init__(self, session: Session, now: datetime | None = None):
        connection = session.connection()
        self.postgres = connection.dialect.name == "postgresql"
        self.dbapi = connection.connection.driver_connection
        # Store the run's time exactly as SQLAlchemy would (SQLite keeps datetimes as text).
        column_type = TierChange.__table__.c.at.type.dialect_impl(connection.dialect)
        process = column_type.bind_processor(connection.dialect)
        self.stamp: Any = process(now) if process and now is not None else now
        # Binary COPY skips formatting each value as text; its timestamptz writer needs an
        # aware time, where text COPY would read a naive one in the session's time zone.
        self.binary = self.postgres and (now is None or now.tzinfo is not None)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Insert rows (tuples in `columns` order) into a table.

        `rows` may be any iterable, a generator included: a writer that makes its tuples as
        they are written never holds them all at once.
        """
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        rows = itertools.chain([first], rows)
        names = ", ".join(columns)
        cursor = self.dbapi.cursor()
        if self.postgres:
            self._copy(cursor, table, columns, rows)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        cursor.close()

    def update(
        self, table: str, keys: Sequence[str], columns: Sequence[str], rows: list[tuple]
    ) -> None:
        """Update rows of a table by key from tuples of (*keys, *columns) values."""
        if not rows:
            return
        cursor = self.dbapi.cursor()
        if self.postgres:
            # COPY the rows into a scratch table shaped like the target, then one UPDATE … FROM.
            scratch = self._scratch(cursor, table, [*keys, *columns], rows)
            assigned = ", ".join(f"{name} = m.{name}" for name in columns)
            matched = " AND ".join(f"t.{key} = m.{key}" for key in keys)
            with _planned_for_lookups(cursor, table, len(rows)):
                cursor.execute(f"UPDATE {table} t SET {assigned} FROM {scratch} m WHERE {matched}")
        else:
            assigned = ", ".join(f"{name} = ?" for name in columns)
            matched = " AND ".join(f"{key} = ?" for key in keys)
            width = len(keys)
            cursor.executemany(
                f"UPDATE {table} SET {assigned} WHERE {matched}",
                [(*row[width:], *row[:width]) for row in rows],
            )
        cursor.close()

    def delete(self, table: str, keys: Sequence[str], rows: list[tuple]) -> None:
        """Delete the rows of a table whose keys are given as tuples in `keys` order."""
        if not rows:
            return
        cursor = self.dbapi.cursor()
        if self.postgres:
            scratch = self._scratch(cursor, table, keys, rows)
            matched = " AND ".join(f"t.{key} = m.{key}" for key in keys)
            cursor.execute(f"DELETE FROM {table} t USING {scratch} m WHERE {matched}")
        else:
            matched = " AND ".join(f"{key} = ?" for key in keys)
            cursor.executemany(f"DELETE FROM {table} WHERE {matched}", rows)
        cursor.close()

    def _scratch(self, cursor, table: str, columns: Sequence[str], rows: list[tuple]) -> str:
        """COPY rows into a temporary table shaped like `table`'s columns; return its name."""
        scratch = f"{table}_moves"
        names = ", ".join(columns)
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(
            f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        self._copy(cursor, scratch, columns, rows)
        # Without statistics the planner guesses the scratch table's size and may scan
        # the whole target instead of looking each key up.
        cursor.execute(f"ANALYZE {scratch}")
        return scratch

    def _copy(self, cursor, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """COPY rows into a PostgreSQL table, in binary typed like its columns where possible."""
        names = ", ".join(columns)
        if not self.binary:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Telling psycopg the column types up front spares it choosing a writer per value.
        cursor.execute(f"SELECT {names} FROM {table} LIMIT 0")
        types = [column.type_code for column in cursor.description]
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)


@contextmanager
def _planned_for_lookups(cursor, table: str, rows: int) -> Iterator[None]:
    """Have PostgreSQL join scratch rows to a large table by looking each key up, uncached.

    The scratch keys are unique, so a Memoize cache in front of the lookups never hits and
    only costs. While the rows are a small share of the table, looking them up in the
    caller's key order through the primary key beats reading and hashing the whole table,
    though the planner, pricing each lookup as a random read, picks the hash join. Past
    LOOKUP_SHARE the hash join does win, so there the planner decides.
    The settings are back once the statement is done; a failed one rolls them back with it.
    """
    settings = {"enable_memoize": "off"}
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (table,))
    if rows * LOOKUP_SHARE <= cursor.fetchone()[0]:
        settings |= {"enable_hashjoin": "off", "enable_mergejoin": "off"}
    names = list(settings)
    cursor.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(names))}", names)
    previous = cursor.fetchone()
    _set_local(cursor, settings)
    yield
    _set_local(cursor, dict(zip(names, previous, strict=True)))


def _set_local(cursor, settings: dict[str, str]) -> None:
    calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
    cursor.execute(f"SELECT {calls}", [v for item in settings.items() for v in item])


@contextmanager
def large_page_cache(session: Session, megabytes: int = 128) -> Iterator[None]:
    """Give SQLite a larger page cache for one book-wide job, then restore it.

    SQLite's default cache is 2 MB; a run updating hundreds of thousands of rows across
    a book-sized table re-reads the same index pages from the OS over and over without
    it. PostgreSQL sizes its own buffers, so this does nothing there.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.driver_connection
    previous = dbapi.execute("PRAGMA cache_size").fetchone()[0]
    dbapi.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def large_work_mem(session: Session, megabytes: int = 64) -> Iterator[None]:
    """Let PostgreSQL sort and hash in memory for the rest of this transaction.

    A book-wide job groups and joins millions of rows (current tiers per scheme, updates
    joined from a scratch table); with the 4 MB default those spill to disk. SET LOCAL
    ends with the transaction, so other work on the pooled connection keeps the default.
    SQLite has no such setting, so this does nothing there.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{int(megabytes)}MB'")
    yield


@contextmanager
def checkpoint_after(session: Session, min_pages: int = 10_000) -> Iterator[None]:
    """On SQLite, keep a large job's commit from copying its log back; do that in a thread.

    In WAL mode the commit that grows the log past 1,000 pages also copies every logged page
    back into the database file, so a re-tier waited for its pages to be written a second
    time. PostgreSQL leaves that to its checkpointer process; this does the same:
    inside the block the connection does not checkpoint, and once the block has committed
    a thread checkpoints on its own connection. Readers are never blocked by it, and a
    small log is left to SQLite's usual checkpoint at the next commit.
    """
    connection = session.connection()
    database = connection.engine.url.database
    if connection.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    engine = connection.engine
    dbapi = connection.connection.driver_connection
    previous = int(dbapi.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    dbapi.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA wal_autocheckpoint = {previous}")
    if _wal_pages(database) >= min_pages:
        threading.Thread(target=_checkpoint, args=(engine,), name="sqlite-checkpoint").start()


def _wal_pages(database: str) -> int:
    try:
        return os.path.getsize(f"{database}-wal") // 4096
    except OSError:
        return 0


def _checkpoint(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # the next commit checkpoints instead; nothing is lost
        logging.getLogger(__name__).exception("background WAL checkpoint failed")
