"""Bulk writes for imports: COPY or executemany for new rows, one UPDATE statement per batch for changed rows."""

import json
from itertools import repeat

import pandas as pd
from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from cstier.models import AuditLog

BATCH = 10_000


def storage_values(column: pd.Series) -> list:
    """Return a column as plain Python values: dates as ISO text, missing values as None."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        days = column.to_numpy("datetime64[D]").astype(object)  # datetime.date objects, in C
        return [None if d is None else d.isoformat() for d in days]
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def native_values(column: pd.Series) -> list:
    """Return a column as Python values SQLAlchemy binds itself: dates as date objects."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return [None if pd.isna(v) else v.date() for v in column]
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


SQLITE_CACHE_KIB = 256 * 1024


def widen_sqlite_cache(session: Session) -> None:
    """Give this connection a 256 MB page cache: the default 2 MB thrashes on a big import's indexes."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")


def _constant(session: Session, table: Table, name: str, value):
    """Render a per-import constant (a timestamp, an empty dict) the way the driver stores it."""
    if isinstance(value, dict):
        return json.dumps(value)
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        return processor(value) if processor else value
    return value


def insert_rows(session: Session, table: Table, frame: pd.DataFrame, constants: dict) -> None:
    """Insert new rows straight through the driver: COPY on PostgreSQL, executemany on SQLite."""
    if frame.empty:
        return
    names = list(frame.columns) + list(constants)
    fixed = [repeat(_constant(session, table, n, v)) for n, v in constants.items()]
    # Not strict: the constants repeat forever, the columns end the rows.
    rows = zip(*(storage_values(frame[n]) for n in frame.columns), *fixed, strict=False)
    raw = session.connection().connection.driver_connection
    quote = session.get_bind().dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    if session.get_bind().dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in names)
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def update_rows(
    session: Session, table: Table, frame: pd.DataFrame, constants: dict, versioned: bool
) -> None:
    """Update changed rows by id with an executemany UPDATE (frame has 'id' and the new values)."""
    if frame.empty:
        return
    names = [n for n in frame.columns if n != "id"]
    values = {n: bindparam(f"v_{n}") for n in names} | constants
    if versioned:
        values["version"] = table.c.version + 1
    statement = update(table).where(table.c.id == bindparam("v_row_id")).values(values)
    columns = {f"v_{n}": native_values(frame[n]) for n in names}
    columns["v_row_id"] = [int(i) for i in frame["id"]]
    params = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    connection = session.connection()
    for start in range(0, len(params), BATCH):
        connection.execute(statement, params[start : start + BATCH])


def insert_audit(session: Session, entries: list[dict]) -> None:
    """Append audit rows in bulk."""
    for start in range(0, len(entries), BATCH):
        session.connection().execute(insert(AuditLog), entries[start : start + BATCH])
