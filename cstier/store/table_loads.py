"""Load many new rows into one table: COPY on PostgreSQL, Core executemany on SQLite."""

from collections.abc import Callable

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def load_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts keyed by column name, all with the same keys) in the session's transaction.

    PostgreSQL's executemany sends one statement per row; COPY streams them, which is what
    lets a demo book of millions of usage rows load in minutes. Values go through each
    column's own bind processing and missing columns get their Python-side defaults, so
    rows are stored as the Core insert would store them.
    """
    if not rows:
        return
    session.flush()  # COPY goes below the ORM, so pending objects must be in first
    connection = session.connection()
    dialect = connection.dialect
    defaults = _python_defaults(table, set(rows[0]))
    if dialect.name != "postgresql" or defaults is None:
        session.execute(insert(table), rows)
        return
    names = [*rows[0], *defaults]
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    statement = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                values = [*row.values(), *(make() for make in defaults.values())]
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for value, process in zip(values, processors, strict=True)
                    ]
                )
    finally:
        cursor.close()


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
