"""Set a table's secondary indexes (and on PostgreSQL its foreign keys) aside for a large load.

Maintaining them row by row costs several times the insert itself; the drops are part of the
import's transaction, and the primary key and unique constraints the upsert relies on stay.
"""

from dataclasses import dataclass, field

from sqlalchemy import Connection, Index, Table, func, select, text
from sqlalchemy.schema import AddConstraint, DropConstraint, ForeignKeyConstraint

# Rebuilding pays for the rows already stored too, so the load must be large in itself and
# at least as large as the table; below that, maintaining the indexes row by row is cheaper.
BULK_ROWS = 50_000
# PostgreSQL sorts each index build in this much memory (its 64 MB default spills a book's
# keys to disk); SET LOCAL keeps it to this transaction.
BUILD_MEMORY = "256MB"


def worth_setting_aside(
    connection: Connection, table: Table, new_rows: int, bulk_rows: int | None = None
) -> bool:
    """Return whether a load of new_rows is large enough to rebuild the indexes after it.

    A load is large from `bulk_rows` rows (BULK_ROWS unless given).
    """
    if new_rows < (bulk_rows or BULK_ROWS):
        return False
    stored = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return new_rows >= stored


@dataclass
class SetAside:
    """The indexes and foreign keys dropped for a load, to restore when it is done."""

    connection: Connection
    table: Table
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKeyConstraint] = field(default_factory=list)

    def drop(self) -> None:
        """Drop the secondary indexes, and on PostgreSQL the foreign keys, of the table.

        On PostgreSQL, DROP INDEX and dropping a foreign key take an ACCESS EXCLUSIVE lock on
        the table (and SHARE ROW EXCLUSIVE on the referenced tables) until the import commits:
        other sessions cannot read the table meanwhile. That is the price of a load several
        times faster, and why only large loads (worth_setting_aside) pay it.
        """
        # Even an index that only grows at its end (a lifecycle stage, a link left empty) costs
        # more row by row than rebuilt, on both databases.
        # Only those this database has: some are PostgreSQL's alone (the trigram search).
        present = _index_names(self.connection, self.table.name)
        self.indexes = sorted(
            (i for i in self.table.indexes if i.name in present), key=lambda i: i.name or ""
        )
        if self.connection.dialect.name == "sqlite":
            # pysqlite opens a transaction only before DML: open it now so the drops are part
            # of it and a failed import rolls them back with its rows.
            raw = self.connection.connection.driver_connection
            if not raw.in_transaction:
                raw.execute("BEGIN")
        else:
            self.foreign_keys = sorted(
                (c for c in self.table.foreign_key_constraints if c.name),
                key=lambda c: c.name,
            )
            for constraint in self.foreign_keys:
                self.connection.execute(DropConstraint(constraint))
        for index in self.indexes:
            index.drop(self.connection)

    def restore(self) -> None:
        """Build the indexes again, and check the foreign keys over the whole table at once."""
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        for index in self.indexes:
            index.create(self.connection)
        for constraint in self.foreign_keys:
            self.connection.execute(AddConstraint(constraint))
        self.indexes, self.foreign_keys = [], []


def _index_names(connection: Connection, table: str) -> set[str]:
    """Return the names of the indexes the database holds on a table."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
    else:
        query = (
            "SELECT indexname FROM pg_indexes "
            "WHERE tablename = :t AND schemaname = current_schema()"
        )
    return set(connection.execute(text(query), {"t": table}).scalars())
