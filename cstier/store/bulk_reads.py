"""Bulk reads: query results straight into DataFrames, and id or key sets of any size as one parameter."""

import json
from collections.abc import Iterator

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Executable,
    String,
    TextClause,
    any_,
    bindparam,
    cast,
    column,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

# Backslashes and quotes escaped inside a PostgreSQL array literal's quoted elements.
ARRAY_QUOTES = str.maketrans({"\\": "\\\\", '"': '\\"'})


def read_frame(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    """Run a Core select in the session's transaction and return its rows as a DataFrame.

    The DBAPI cursor's plain tuples are used as they are: building ORM Row objects for the
    whole book costs more than evaluating it.
    """
    return read_frame_on(session.connection(), stmt, columns)


def read_frame_on(connection: Connection, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    """Run a Core select on one connection (usable from a worker thread) into a DataFrame."""
    result = connection.execute(stmt)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)


def read_frames(
    session: Session, stmt: Executable, columns: list[str], rows_per_frame: int
) -> Iterator[pd.DataFrame]:
    """Run a select and yield its rows as DataFrames of at most rows_per_frame rows.

    The rows come from a server-side cursor on PostgreSQL (SQLite steps its cursor), so only
    one frame is in memory at a time; other statements may run between two frames.
    """
    result = session.connection().execute(stmt.execution_options(yield_per=rows_per_frame))
    try:
        for rows in result.partitions():
            yield pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
    finally:
        result.close()


def overlay(
    base: np.ndarray, account_ids: pd.Series, record_ids: pd.Series, values: pd.Series
) -> np.ndarray:
    """Return `base` (aligned on account_ids) with `values` put where an account has a record.

    `record_ids` and `values` are a per-account query result (one row per account at most);
    accounts without a record keep their `base` value. `base` is changed in place.
    """
    at = pd.Index(record_ids).get_indexer(account_ids)
    found = at >= 0
    base[found] = values.to_numpy(dtype=base.dtype)[at[found]]
    return base


def id_list(session: Session, column: str) -> str:
    """Return the SQL aggregate that joins a group's integer ids into one comma-separated text."""
    if session.connection().dialect.name == "postgresql":
        return f"string_agg(CAST({column} AS TEXT), ',')"
    return f"group_concat({column})"


def read_id_lists(
    session: Session, stmt: TextClause, params: dict | None = None
) -> Iterator[tuple[tuple, np.ndarray]]:
    """Run a grouped select whose last column is an `id_list`; yield (group key, ids) pairs."""
    for *key, joined in session.connection().execute(stmt, params or {}):
        ids = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.array([], np.int64)
        yield tuple(key), ids


def id_table(session: Session, ids: np.ndarray) -> tuple[str, str, dict]:
    """Return (FROM item, its id column, parameters) that list `ids` as a table to join.

    Joined to a table by key, each id is one index lookup: an `IN` list or `= ANY` of
    tens of thousands of ids made PostgreSQL scan the whole table instead.
    """
    values = np.asarray(ids, dtype=np.int64).tolist()
    if session.connection().dialect.name == "postgresql":
        return (
            "unnest(CAST(:listed_ids AS bigint[])) AS listed(id)",
            "listed.id",
            {"listed_ids": values},
        )
    return "json_each(:listed_ids) AS listed", "listed.value", {"listed_ids": json.dumps(values)}


def among(session: Session, key: ColumnElement, ids: np.ndarray) -> ColumnElement:
    """Return the condition `key` is one of `ids`, sent as one parameter however many.

    A tier filter can match hundreds of thousands of accounts, more than SQLite takes as
    separate parameters: PostgreSQL gets an array, SQLite a JSON list it reads with json_each.
    """
    values = np.asarray(ids, dtype=np.int64).tolist()
    if session.connection().dialect.name == "postgresql":
        return key == any_(bindparam("among_ids", values, type_=ARRAY(BigInteger), unique=True))
    listed = func.json_each(bindparam("among_ids", json.dumps(values), unique=True))
    return key.in_(select(column("value")).select_from(listed))


def key_in(session: Session, column, values: list[str]) -> ColumnElement:
    """Return `column IN values` with the values bound as one parameter.

    One text parameter (an array literal on PostgreSQL, JSON on SQLite) keeps the statement
    cached and spares compiling and binding thousands of placeholders per query.
    """
    if session.get_bind().dialect.name == "postgresql":
        # IN (unnest) plans as a join, linear in the keys; = ANY(array) can become a filter that
        # compares every row with every key when the statistics still say the table is empty.
        keys = '{"' + '","'.join(values) + '"}'
        if "\\" in keys or keys.count('"') != 2 * len(values):  # rare: quote the elements
            keys = "{" + ",".join('"' + v.translate(ARRAY_QUOTES) + '"' for v in values) + "}"
        return column.in_(select(func.unnest(cast(bindparam(None, keys), ARRAY(String)))))
    keys = bindparam(None, json.dumps(list(values)))
    return column.in_(select(func.json_each(keys).table_valued("value").c.value))


def distinct_values(session: Session, indexed: Column) -> list:
    """Return an indexed column's distinct non-null values, ascending, one index probe each.

    A DISTINCT reads the whole table; stepping from each value to the next one through the
    column's index reads a few pages per value, which is what a filter dropdown over a
    book-sized table needs (a few dozen regions among a million rows).
    """
    quote = session.get_bind().dialect.identifier_preparer.quote
    table, name = quote(indexed.table.name), quote(indexed.name)
    first = f"SELECT {name} FROM {table} WHERE {name} IS NOT NULL ORDER BY {name} LIMIT 1"
    after = f"SELECT {name} FROM {table} WHERE {name} > seen.value ORDER BY {name} LIMIT 1"
    query = (
        f"WITH RECURSIVE seen(value) AS (SELECT ({first}) "
        f"UNION ALL SELECT ({after}) FROM seen WHERE seen.value IS NOT NULL) "
        "SELECT value FROM seen WHERE value IS NOT NULL"
    )
    return list(session.execute(text(query)).scalars())
