"""Load many new rows into one table, given as columns: COPY on PostgreSQL, executemany on SQLite."""

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def load_columns(session: Session, table: Table, columns: Mapping[str, Sequence]) -> None:
    """Insert rows given as equal-length columns (name → values, None for missing).

    No dict per row: each column goes through its type's bind processing as one list, and
    rows are tuples zipped from the columns, streamed by COPY on PostgreSQL and by one
    executemany on SQLite. Missing columns get their Python-side defaults, so rows are
    stored as a Core insert would store them.
    """
    names = list(columns)
    size = len(columns[names[0]]) if names else 0
    if not size:
        return
    session.flush()  # the rows go below the ORM, so pending objects must be in first
    connection = session.connection()
    dialect = connection.dialect
    defaults = _python_defaults(table, set(names))
    if defaults is None:  # a SQL-side default: let Core render it
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        session.execute(insert(table), rows)
        return
    values = [_bound(table, dialect, name, columns[name]) for name in names]
    for name, make in defaults.items():
        names.append(name)
        values.append(_bound(table, dialect, name, [make() for _ in range(size)]))
    preparer = dialect.identifier_preparer
    quoted = ", ".join(preparer.quote(name) for name in names)
    target = preparer.format_table(table)
    cursor = connection.connection.driver_connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
                for row in zip(*values, strict=True):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(names))
            cursor.executemany(
                f"INSERT INTO {target} ({quoted}) VALUES ({marks})", zip(*values, strict=True)
            )
    finally:
        cursor.close()


def _bound(table: Table, dialect, name: str, column: Sequence) -> Sequence:
    """Return a column's values as its type binds them (None stays None)."""
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return column
    return [None if value is None else process(value) for value in column]


def _python_defaults(table: Table, given: set[str]) -> dict[str, Callable[[], object]] | None:
    """Return a maker per missing column with a Python-side default; None if one is SQL."""
    makers: dict[str, Callable[[], object]] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            makers[column.name] = lambda value=default.arg: value
        elif default.is_callable:
            makers[column.name] = lambda make=default.arg: make(None)
        else:
            return None
    return makers
