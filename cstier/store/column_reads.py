"""Read a book-sized select into a typed DataFrame, a range of keys at a time.

Each chunk travels as text (store/column_text.py); the next chunks' queries run on
background threads, and on PostgreSQL on a second connection, while pandas splits the last.
"""

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from cstier.store.column_text import (
    ColumnWise,
    JsonFields,
    concat_chunks,
    field_names,
    read_lines,
)
from cstier.store.threads import InFlight, shareable_across_threads

CHUNK_ROWS = 200_000
# What pg_export_snapshot() returns, checked before it goes into SET TRANSACTION SNAPSHOT.
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")

__all__ = ["CHUNK_ROWS", "JsonFields", "field_names", "read_columns", "reading_connections"]


def read_columns(
    session: Session,
    stmt: Select,
    columns: list[str],
    kinds: dict[str, str],
    json_fields: JsonFields | None = None,
    *,
    committed: bool = False,
    chunk_rows: int | None = None,
    few: bool = False,
) -> pd.DataFrame:
    """Run `stmt` (its first column a unique integer key) and return its rows, ordered by key.

    `columns` names the selected columns in order; `json_fields` adds fields read from a
    JSON column, after them. `kinds` gives each one's kind (int, number, text, or another
    kind read as strings). A caller whose session holds no uncommitted change to the
    tables read says `committed`, and the chunks are then read on two connections at once
    (`reading_connections`). Each query reads a range of `chunk_rows` keys (CHUNK_ROWS
    unless given). A caller reading `few` rows (an account page's one account) has them read
    as CSV lines in one query: one parse for every column costs less than one per column.
    """
    names = field_names(columns, json_fields)
    connection = session.connection()
    key = stmt.selected_columns[0]
    if few:
        parts = [read_lines(connection, stmt.order_by(None), columns, kinds, json_fields)]
    else:
        parts = list(
            _chunks(
                connection,
                stmt.order_by(None),
                key,
                columns,
                kinds,
                json_fields,
                committed,
                chunk_rows or CHUNK_ROWS,
            )
        )
    frame = concat_chunks(parts, names, kinds)
    if list(frame.columns) != names:
        frame = frame[names]  # SQLite writes fields read as one JSON array last
    if not frame[names[0]].is_monotonic_increasing:
        # SQL promises no order inside an aggregate or a scan: put the rows in key order.
        # PostgreSQL's bitmap scans return them in heap order, mostly sorted, where a
        # stable argsort runs in linear time, well ahead of sort_values.
        order = np.argsort(frame[names[0]].to_numpy(), kind="stable")
        frame = frame.take(order).reset_index(drop=True)
    return frame


def _chunks(
    connection: Connection,
    stmt: Select,
    key,
    columns,
    kinds,
    json_fields,
    committed: bool,
    chunk_rows: int,
):
    """Yield the rows of `stmt` as frames, one per range of `chunk_rows` keys.

    Each chunk is one query with an aggregate per column (store/column_text.py): on
    SQLite, joining each row's fields into a CSV line costs more than the scan, and psycopg
    hands a COPY over as one message per row. A chunk whose values can't be split exactly
    is read as CSV lines instead, which copes with anything.

    The next chunks' queries run on background threads while pandas splits the last one
    (store/threads.py), on each of the `reading_connections` in turn. Sending all chunk
    queries to PostgreSQL at once in a pipeline is no faster: the server still works on
    one query at a time.
    """
    bounds = stmt.with_only_columns(func.min(key), func.max(key))
    low, high = connection.execute(bounds).one()
    if low is None:
        return
    postgres = connection.dialect.name == "postgresql"
    reader = ColumnWise(columns, kinds, json_fields, postgres)
    chunks = [
        stmt.where(key > start, key <= start + chunk_rows)
        for start in range(int(low) - 1, int(high), chunk_rows)
    ]
    # One chunk (an account page's one account) has nothing to overlap: a thread only costs.
    background = shareable_across_threads(connection.engine.url) and len(chunks) > 1
    with reading_connections(connection, committed and postgres and len(chunks) > 1) as pool:
        fetched: dict[int, tuple] = {}
        workers = [InFlight(background) for _ in pool]

        def fetch(index: int) -> None:
            on = pool[index % len(pool)]
            fetched[index] = tuple(on.execute(reader.query(chunks[index])).one())

        def start(index: int) -> None:
            if index < len(chunks):
                workers[index % len(pool)].submit(partial(fetch, index))

        try:
            for index in range(len(pool)):
                start(index)
            for index, chunk in enumerate(chunks):
                worker = workers[index % len(pool)]
                worker.wait()
                row = fetched.pop(index)
                start(index + len(pool))
                part = reader.split(row)
                if part is None:
                    worker.wait()  # one statement at a time on a connection
                    on = pool[index % len(pool)]
                    part = read_lines(on, chunk, columns, kinds, json_fields)
                if len(part):
                    yield part
        finally:
            for worker in workers:
                worker.close()


@contextmanager
def reading_connections(
    connection: Connection, spread: bool, helpers: int = 1
) -> Iterator[list[Connection]]:
    """Yield the connections to read chunks on: the session's, and `helpers` more if `spread`.

    A PostgreSQL query runs on one core, so a second connection lets the server work on
    two chunks at once while the main thread splits a third. The second connection imports
    the snapshot the session's transaction has when the read begins (pg_export_snapshot):
    what was committed then, but none of the session's own changes, so only data the
    session has not changed may be read this way. (Under READ COMMITTED the session's own
    chunk queries each take a newer snapshot, as every chunk query did before.) It takes a
    second connection from the pool while the read lasts, and cannot begin inside a
    savepoint, where PostgreSQL exports no snapshot. SQLite gains nothing from it: its
    queries are bound by parsing JSON, and the splitting already takes the other core.
    """
    if not spread:
        yield [connection]
        return
    # Closing returns a connection to the pool, which rolls its transaction back.
    with ExitStack() as opened:
        pool = [opened.enter_context(connection.engine.connect()) for _ in range(helpers)]
        if connection.dialect.name == "postgresql":
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            if not SNAPSHOT_ID.fullmatch(snapshot):
                raise ValueError(f"unexpected snapshot id {snapshot!r}")
            for helper in pool:
                helper.execution_options(isolation_level="REPEATABLE READ")
                helper.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        yield [connection, *pool]
