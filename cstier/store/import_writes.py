"""Bulk writes for imports: COPY or executemany for new rows, one UPDATE statement per batch for changed rows."""

import json
import sqlite3
from collections.abc import Callable
from itertools import chain, islice, repeat

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, bindparam, insert, update
from sqlalchemy.orm import Session

from cstier.models import AuditLog

BATCH = 10_000
ROWS_PER_STATEMENT = 2_000


def storage_values(column: pd.Series) -> list:
    """Return a column as plain Python values: dates as ISO text, missing values as None."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return iso_days(column).tolist()
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def iso_days(column: pd.Series) -> np.ndarray:
    """Return a date column as ISO text (None where missing), formatting each distinct day once."""
    days = column.to_numpy("datetime64[D]")
    codes, uniques = pd.factorize(days)  # a file holds a few thousand distinct days at most
    texts = np.empty(len(uniques) + 1, dtype=object)  # the last slot is for code -1: missing
    texts[:-1] = np.datetime_as_string(np.asarray(uniques, dtype="datetime64[D]"), unit="D")
    return texts[codes]


def native_values(column: pd.Series) -> list:
    """Return a column as Python values SQLAlchemy binds itself: dates as date objects."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return [None if pd.isna(v) else v.date() for v in column]
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def _constant(connection: Connection, table: Table, name: str, value):
    """Render a per-import constant (a timestamp, an empty dict) the way the driver stores it."""
    if isinstance(value, dict):
        return json.dumps(value)
    dialect = connection.dialect
    if dialect.name == "sqlite":
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        return processor(value) if processor else value
    return value


def insert_work(
    connection: Connection,
    table: Table,
    frame: pd.DataFrame,
    constants: dict,
    rows_per_statement: int = ROWS_PER_STATEMENT,
) -> Callable[[], None]:
    """Prepare the insert of new rows here; return the driver call, safe to run on another thread.

    SQLite takes up to `rows_per_statement` rows in one INSERT; PostgreSQL takes one COPY.
    """
    if frame.empty:
        return _nothing
    names = list(frame.columns) + list(constants)
    fixed = [_constant(connection, table, n, v) for n, v in constants.items()]
    raw = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    if connection.dialect.name == "postgresql":
        statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        payload = copy_text(frame, fixed)

        def copy() -> None:
            with raw.cursor() as cursor, cursor.copy(statement) as stream:
                stream.write(payload)

        return copy
    # Binding costs per value and row, so constants and columns empty in the whole chunk
    # are written into the statement instead.
    slots, bound = [], []
    for cells in (storage_values(frame[n]) for n in frame.columns):
        if cells.count(None) == len(cells):
            slots.append("NULL")
        else:
            slots.append("?")
            bound.append(cells)
    for value in fixed:
        literal = _sql_literal(value)
        slots.append(literal or "?")
        if literal is None:
            bound.append(repeat(value))
    # Not strict: bound constants repeat forever; islice ends the rows.
    rows = islice(zip(*bound, strict=False), len(frame)) if bound else repeat((), len(frame))
    row = f"({', '.join(slots)})"
    statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES "
    # Many rows per statement: fewer trips through the driver, and SQLite stores a whole
    # statement without holding the GIL, so Python checks the next chunk meanwhile.
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(rows_per_statement, limit // max(len(bound), 1)))
    statements = len(frame) // per

    def execute() -> None:
        cursor = raw.cursor()
        try:
            if statements:
                cursor.executemany(
                    statement + ", ".join([row] * per),
                    (tuple(chain.from_iterable(islice(rows, per))) for _ in range(statements)),
                )
            rest = list(rows)
            if rest:
                cursor.executemany(statement + row, rest)
        finally:
            cursor.close()

    return execute


def _sql_literal(value) -> str | None:
    """Return a constant as an SQL literal, or None when it must be bound."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None


def _nothing() -> None:
    return None


COPY_SPECIALS = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(frame: pd.DataFrame, constants: list) -> str:
    """Return the rows as PostgreSQL COPY text: tab-separated, \\N for NULL, specials escaped.

    Built column by column and joined in C: psycopg's write_row formats one row at a time.
    """
    texts = [_copy_column(frame[n]) for n in frame.columns]
    ending = "".join("\t" + _copy_column(pd.Series([v], dtype=object))[0] for v in constants)
    ending += "\n"
    if frame.empty or not texts:
        return ending[1:] * len(frame)
    return ending.join(map("\t".join, zip(*texts, strict=True))) + ending


def _copy_column(column: pd.Series) -> list[str]:
    """Return one column as COPY text cells."""
    missing = column.isna().to_numpy()
    if missing.all():
        return ["\\N"] * len(column)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        text = iso_days(column)
    elif column.dtype.kind in "iu":  # Int64 and int64: Python's int to text is the fastest
        cells = list(map(str, column.to_numpy("int64", na_value=0).tolist()))
        for row in np.flatnonzero(missing).tolist():
            cells[row] = "\\N"
        return cells
    elif column.dtype.kind in "fb":  # floats and booleans: no character needs escaping
        text = column.astype("string").to_numpy(object)
    else:
        text = column.to_numpy(object).copy()
        try:
            joined = "".join(text[~missing])  # raises unless every cell is text
        except TypeError:
            text[~missing] = [v if type(v) is str else str(v) for v in text[~missing]]
            joined = "".join(text[~missing])
        if any(c in joined for c in "\\\t\n\r"):
            text[~missing] = [v.translate(COPY_SPECIALS) for v in text[~missing]]
    text[missing] = "\\N"
    return text.tolist()


def update_rows(
    session: Session, table: Table, frame: pd.DataFrame, constants: dict, versioned: bool
) -> None:
    """Update changed rows by id with an executemany UPDATE (frame has 'id' and the new values)."""
    update_work(session.connection(), table, frame, constants, versioned)()


def update_work(
    connection: Connection, table: Table, frame: pd.DataFrame, constants: dict, versioned: bool
) -> Callable[[], None]:
    """Prepare an executemany UPDATE by id; return the call, safe to run on another thread."""
    if frame.empty:
        return _nothing
    names = [n for n in frame.columns if n != "id"]
    values = {n: bindparam(f"v_{n}") for n in names} | constants
    if versioned:
        values["version"] = table.c.version + 1
    statement = update(table).where(table.c.id == bindparam("v_row_id")).values(values)
    columns = {f"v_{n}": native_values(frame[n]) for n in names}
    columns["v_row_id"] = [int(i) for i in frame["id"]]
    params = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    return _batched(connection, statement, params)


def audit_work(connection: Connection, entries: list[dict]) -> Callable[[], None]:
    """Prepare appending audit rows in bulk; return the call, safe to run on another thread."""
    return _batched(connection, insert(AuditLog), entries)


def _batched(connection: Connection, statement, params: list[dict]) -> Callable[[], None]:
    def execute() -> None:
        for start in range(0, len(params), BATCH):
            connection.execute(statement, params[start : start + BATCH])

    return execute
