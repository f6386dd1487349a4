"""Keep id sequences ahead of rows inserted with explicit ids."""

from sqlalchemy import Table, text
from sqlalchemy.orm import Session


def advance_id_sequences(session: Session, tables: list[Table]) -> None:
    """Move each table's id sequence past its largest id (PostgreSQL; SQLite needs nothing).

    SQLite picks the next rowid from the table itself; PostgreSQL's sequence knows nothing
    of ids inserted explicitly and would hand them out again.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in tables:
        quoted = bind.dialect.identifier_preparer.quote(table.name)
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:name, 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {quoted}), false)"
            ),
            {"name": quoted},
        )
