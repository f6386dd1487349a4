"""Read a book-sized select into a typed DataFrame as joined texts, not as Python row tuples.

Types: `int` columns (ids) are int64, `number` float64, `text` categorical (of strings);
any other kind (boolean, date) comes back as strings for the caller to convert.
"""

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from io import BytesIO, StringIO

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Select, func, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from cstier.store.column_text import JsonColumns, as_categories, column_aggregates, take_column
from cstier.store.json_fields import JsonFields
from cstier.store.sqlite_csv import NULL, chunk_lines
from cstier.store.threads import InFlight, shareable_across_threads

CHUNK_ROWS = 200_000
# What pg_export_snapshot() returns, checked before it goes into SET TRANSACTION SNAPSHOT.
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")


def field_names(columns: list[str], json_fields: JsonFields | None) -> list[str]:
    """Return the fields a read returns, in order: the select's columns, then any JSON fields."""
    return [*columns, *(json_fields.keys if json_fields else ())]


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
        parts = [_as_lines(connection, stmt.order_by(None), columns, kinds, json_fields)]
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
    frame = _concat(parts, names, kinds)
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
                    part = _as_lines(on, chunk, columns, kinds, json_fields)
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


class ColumnWise:
    """Read a chunk with one aggregate per column; split returns None if values don't split."""

    def __init__(self, columns: list[str], kinds: dict[str, str], json_fields, postgres: bool):
        self.columns = columns
        self.kinds = kinds
        self.postgres = postgres
        self.attributes = JsonColumns(json_fields, kinds, postgres) if json_fields else None

    def query(self, chunk: Select) -> Select:
        """Return the chunk's query: a count, then each column's aggregates, then the JSON ones."""
        aggregates = [func.count()]
        for name, column in zip(self.columns, chunk.selected_columns, strict=True):
            aggregates += column_aggregates(column, self.kinds.get(name, "text"), self.postgres)
        if self.attributes:
            aggregates += self.attributes.aggregates()
        return chunk.with_only_columns(*aggregates)

    def split(self, row: tuple) -> pd.DataFrame | None:
        """Return the chunk's rows from its query's one row, or None."""
        counted, *texts = row
        frame = {}
        try:
            for name in self.columns:
                frame[name] = take_column(texts, self.kinds.get(name, "text"), counted)
                if frame[name] is None:
                    return None
            if self.attributes:
                fields = self.attributes.split(texts, counted)
                if fields is None:
                    return None
                frame.update(fields)
        except (ValueError, TypeError, pd.errors.ParserError):
            return None
        return pd.DataFrame(frame)


def _as_lines(connection: Connection, chunk: Select, columns, kinds, json_fields) -> pd.DataFrame:
    """Read a chunk as CSV lines: COPY on PostgreSQL, concatenated fields on SQLite."""
    if connection.dialect.name == "postgresql":
        if json_fields:
            chunk = chunk.add_columns(*(json_fields.value(name) for name in json_fields.keys))
        names = field_names(columns, json_fields)
        data = _copy_out(connection, chunk)
        return _parse(BytesIO(data), names, kinds) if data else _empty(names, kinds)
    lines = chunk_lines(chunk, columns, kinds, json_fields)
    text = connection.execute(lines.query).scalar()
    if not text:
        return _empty(lines.names, kinds)
    return _parse(StringIO(text), lines.names, kinds, lines.null_tokens)


def _copy_out(connection: Connection, stmt: Select) -> bytes:
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, NULL '{NULL}')"
    data = bytearray()
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(sql, compiled.params) as copy:
        for block in copy:
            data += block
    return bytes(data)


def _parse(
    source, columns: list[str], kinds: dict[str, str], null_tokens: frozenset[str] = frozenset()
) -> pd.DataFrame:
    # Fields copied from a JSON array write a missing value as JSON's `null`.
    nulls = {name: [NULL, "null"] if name in null_tokens else [NULL] for name in columns}
    options = {
        "header": None,
        "names": columns,
        "na_values": nulls,
        "keep_default_na": False,
        "engine": "c",
    }
    try:
        return _categorical(
            pd.read_csv(source, dtype=_dtypes(columns, kinds, strict=True), **options), kinds
        )
    except (ValueError, TypeError):
        # Some "number" holds text (an attribute typed by hand): read as text and coerce,
        # so the odd value becomes missing instead of failing the run.
        source.seek(0)
        frame = pd.read_csv(source, dtype=_dtypes(columns, kinds, strict=False), **options)
        for name in columns:
            if kinds.get(name) == "number":
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
        return _categorical(frame, kinds)


def _categorical(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Turn text columns, read as strings, into categories (few values, each repeated across the book).

    Read straight as categories, pandas would guess their type: plans "01" and "2.0" would
    become the numbers 1 and 2, and chunks of such values would not concatenate with others.
    """
    for name in frame.columns:
        if kinds.get(name, "text") == "text":
            frame[name] = as_categories(frame[name])
    return frame


def _dtypes(columns: list[str], kinds: dict[str, str], strict: bool) -> dict[str, object]:
    chosen: dict[str, object] = {}
    for name in columns:
        kind = kinds.get(name, "text")
        if kind == "int":
            chosen[name] = np.int64
        elif kind == "number":
            chosen[name] = np.float64 if strict else object
        else:
            chosen[name] = object  # text becomes categorical once read (_categorical)
    return chosen


def _concat(parts: list[pd.DataFrame], columns: list[str], kinds: dict[str, str]) -> pd.DataFrame:
    if not parts:
        return _empty(columns, kinds)
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    frame = pd.concat(parts, ignore_index=True)
    for name in columns:
        if kinds.get(name, "text") == "text":
            # Chunks found different values; merge their categories instead of falling to object.
            frame[name] = union_categoricals([p[name] for p in parts])
    return frame


def _empty(columns: list[str], kinds: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {name: pd.Series([], dtype=dtype) for name, dtype in _dtypes(columns, kinds, True).items()}
    )
    return _categorical(frame, kinds)
