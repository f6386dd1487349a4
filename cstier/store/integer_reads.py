"""Read a book-sized select of integer columns into NumPy arrays, in the form each engine sends fastest.

Each range of keys is one query that joins every column into one value: PostgreSQL joins the
8-byte big-endian forms (int8send) into one bytea, which NumPy reads in place; SQLite joins the
decimal digits into one text, which NumPy splits in C. The next range's query runs on a
background thread meanwhile. A COPY is no faster: psycopg hands it over one row at a time.
"""

import warnings
from functools import partial

import numpy as np
from sqlalchemy import BigInteger, Select, cast, func, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cstier.store.threads import InFlight, shareable_across_threads

CHUNK_ROWS = 250_000


class UnreadableIntegers(ValueError):
    """A column meant to hold integers held a NULL or something else: the read cannot be trusted."""


def read_integers(
    session: Session,
    stmt: Select,
    names: list[str],
    *,
    key: ColumnElement | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, np.ndarray]:
    """Run `stmt` and return each selected column, named by `names`, as an int64 array.

    Every column must be an integer that is never NULL (coalesce in the select). `key`, a
    unique integer column (the first selected unless given), splits the read into ranges.
    Rows come in no set order.
    """
    connection = session.connection()
    key = stmt.selected_columns[0] if key is None else key
    low, high = connection.execute(stmt.with_only_columns(func.min(key), func.max(key))).one()
    if low is None:
        return {name: np.zeros(0, dtype=np.int64) for name in names}
    postgres = connection.dialect.name == "postgresql"
    aggregates = [func.count(), *(_joined(c, postgres) for c in stmt.selected_columns)]
    chunks = [
        stmt.where(key > start, key <= start + chunk_rows).with_only_columns(*aggregates)
        for start in range(int(low) - 1, int(high), chunk_rows)
    ]
    fetch = _fetch_bytes if postgres else _fetch_text
    fetched: dict[int, tuple] = {}

    def run(index: int) -> None:
        fetched[index] = fetch(connection, chunks[index])

    parts: list[list[np.ndarray]] = []
    worker = InFlight(shareable_across_threads(connection.engine.url))
    try:
        worker.submit(partial(run, 0))
        for index in range(len(chunks)):
            worker.wait()
            row = fetched.pop(index)
            if index + 1 < len(chunks):
                worker.submit(partial(run, index + 1))
            parts.append(_split_bytes(row) if postgres else _split(row))
    finally:
        worker.close()
    return {name: np.concatenate([part[i] for part in parts]) for i, name in enumerate(names)}


def read_integers_at_once(
    session: Session, stmt: Select, names: list[str]
) -> dict[str, np.ndarray]:
    """Run `stmt` as one query and return each selected column, named by `names`, as int64.

    For a select of a bounded size (one range of accounts), a grouped one included, which
    read_integers would have the database compute again for its bounds. Every column must
    be an integer that is never NULL (coalesce in the select). Rows come in no set order.
    """
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    rows = stmt.subquery()
    query = select(func.count(), *(_joined(column, postgres) for column in rows.c))
    if postgres:
        columns = _split_bytes(_fetch_bytes(connection, query))
    else:
        columns = _split(_fetch_text(connection, query))
    return dict(zip(names, columns, strict=True))


def _joined(column, postgres: bool):
    if postgres:
        return func.string_agg(func.int8send(cast(column, BigInteger)), literal_column("''::bytea"))
    return func.group_concat(column)


def _fetch_text(connection: Connection, chunk: Select) -> tuple:
    return tuple(connection.execute(chunk).one())


def _fetch_bytes(connection: Connection, chunk: Select) -> tuple:
    """Run a chunk's query asking for binary results, so a bytea comes as bytes, not hex."""
    compiled = chunk.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    cursor = connection.connection.driver_connection.cursor(binary=True)
    with cursor:
        cursor.execute(str(compiled), compiled.params)
        return tuple(cursor.fetchone())


def _split_bytes(row: tuple) -> list[np.ndarray]:
    """Return a chunk's columns from its count and its joined 8-byte big-endian values."""
    count, *values = row
    columns = []
    for joined in values:
        column = np.frombuffer(joined or b"", dtype=">i8").astype(np.int64)
        if len(column) != count:
            raise UnreadableIntegers("a column held a NULL")
        columns.append(column)
    return columns


def _split(row: tuple) -> list[np.ndarray]:
    """Return a chunk's columns from its count and its joined texts."""
    count, *texts = row
    columns = []
    for text in texts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # NumPy only warns when a text stops early
                values = np.fromstring(text or "", dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning) as exc:
            raise UnreadableIntegers("a column held a value other than an integer") from exc
        if len(values) != count:
            raise UnreadableIntegers("a column held a NULL or a value other than an integer")
        columns.append(values)
    return columns
