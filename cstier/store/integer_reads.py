"""Read a book-sized select of integer columns into NumPy arrays, in the form each engine sends fastest.

PostgreSQL sends one binary COPY in which every value is an 8-byte integer, so NumPy reads the
rows in place as records. SQLite joins each column of a range of keys into one text of digits
that NumPy splits in C, while the next range's query runs on a background thread.
"""

import warnings
from functools import partial

import numpy as np
from sqlalchemy import BigInteger, Select, cast, func
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from cstier.store.threads import InFlight, shareable_across_threads

CHUNK_ROWS = 250_000
# A binary COPY opens with this signature, then 32-bit flags and a header extension's length.
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


class UnreadableIntegers(ValueError):
    """A column meant to hold integers held a NULL or something else: the read cannot be trusted."""


def read_integers(
    session: Session, stmt: Select, names: list[str], *, chunk_rows: int = CHUNK_ROWS
) -> dict[str, np.ndarray]:
    """Run `stmt` and return each selected column, named by `names`, as an int64 array.

    Every column must be an integer that is never NULL (coalesce in the select); the first
    is a unique key, which splits the read into ranges on SQLite. Rows come in no set order.
    """
    connection = session.connection()
    columns = [cast(c, BigInteger) for c in stmt.selected_columns]
    if connection.dialect.name == "postgresql":
        values = _copy_binary(connection, stmt.with_only_columns(*columns), len(names))
    else:
        values = _joined_digits(connection, stmt, len(names), chunk_rows)
    return dict(zip(names, values, strict=True))


def _copy_binary(connection: Connection, stmt: Select, width: int) -> list[np.ndarray]:
    """Return the columns of a select of 8-byte integers, sent by one binary COPY."""
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT binary)"
    data = bytearray()
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(sql, compiled.params) as copy:
        for block in copy:
            data += block
    if not data.startswith(COPY_SIGNATURE):
        raise UnreadableIntegers("the binary COPY did not start with its signature")
    extension = int.from_bytes(data[15:19], "big")
    body = memoryview(data)[19 + extension : len(data) - 2]  # the trailer is a 16-bit -1
    fields = [("count", ">i2")]
    for index in range(width):
        fields += [(f"size{index}", ">i4"), (f"value{index}", ">i8")]
    record = np.dtype(fields)
    if len(body) % record.itemsize:
        raise UnreadableIntegers("a column held a NULL or a value other than an 8-byte integer")
    rows = np.frombuffer(body, dtype=record)
    sizes_ok = all((rows[f"size{i}"] == 8).all() for i in range(width))
    if not sizes_ok or not (rows["count"] == width).all():
        raise UnreadableIntegers("a column held a NULL or a value other than an 8-byte integer")
    return [rows[f"value{i}"].astype(np.int64) for i in range(width)]


def _joined_digits(
    connection: Connection, stmt: Select, width: int, chunk_rows: int
) -> list[np.ndarray]:
    """Return the columns of a select, each range of keys read as one joined text per column."""
    key = stmt.selected_columns[0]
    low, high = connection.execute(stmt.with_only_columns(func.min(key), func.max(key))).one()
    if low is None:
        return [np.zeros(0, dtype=np.int64) for _ in range(width)]
    aggregates = [func.count(), *(func.group_concat(c) for c in stmt.selected_columns)]
    chunks = [
        stmt.where(key > start, key <= start + chunk_rows).with_only_columns(*aggregates)
        for start in range(int(low) - 1, int(high), chunk_rows)
    ]
    fetched: dict[int, tuple] = {}

    def fetch(index: int) -> None:
        fetched[index] = tuple(connection.execute(chunks[index]).one())

    parts: list[list[np.ndarray]] = []
    worker = InFlight(shareable_across_threads(connection.engine.url))
    try:
        worker.submit(partial(fetch, 0))
        for index in range(len(chunks)):
            worker.wait()
            row = fetched.pop(index)
            if index + 1 < len(chunks):
                worker.submit(partial(fetch, index + 1))
            parts.append(_split(row))
    finally:
        worker.close()
    return [np.concatenate([part[i] for part in parts]) for i in range(width)]


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
