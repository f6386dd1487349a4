"""Bulk writes for tiering runs: COPY on PostgreSQL, executemany on SQLite, in the session's transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cstier.models import AccountTier

TIER_UPDATE = ("tier", "explanation", "source", "scheme_version", "run_id", "updated_at")


class BulkWriter:
    """Write plain row tuples through the session's own DBAPI connection.

    Going below the ORM and Core matters at scale: building and binding a dict
    per row costs more than the database spends storing it. The rows share the
    session's transaction, so a failed run rolls them back with everything else.
    """

    def __init__(self, session: Session, now: datetime):
        connection = session.connection()
        self.postgres = connection.dialect.name == "postgresql"
        self.dbapi = connection.connection.driver_connection
        # Store the run's time exactly as SQLAlchemy would (SQLite keeps datetimes as text).
        column_type = AccountTier.__table__.c.updated_at.type.dialect_impl(connection.dialect)
        process = column_type.bind_processor(connection.dialect)
        self.stamp: Any = process(now) if process else now

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Insert rows (tuples in `columns` order) into a table."""
        if not rows:
            return
        names = ", ".join(columns)
        cursor = self.dbapi.cursor()
        if self.postgres:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        cursor.close()

    def update_tiers(self, rows: list[tuple]) -> None:
        """Update current tiers from (account_id, scheme_id, tier, explanation, source, version, run_id, at)."""
        if not rows:
            return
        cursor = self.dbapi.cursor()
        if self.postgres:
            # COPY the changes into a scratch table, then one UPDATE … FROM joins them in.
            cursor.execute("DROP TABLE IF EXISTS tier_moves")
            cursor.execute(
                "CREATE TEMP TABLE tier_moves (account_id integer, scheme_id integer, "
                "tier varchar(60), explanation text, source varchar(20), scheme_version integer, "
                "run_id integer, updated_at timestamptz) ON COMMIT DROP"
            )
            with cursor.copy("COPY tier_moves FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assigned = ", ".join(f"{name} = m.{name}" for name in TIER_UPDATE)
            cursor.execute(
                f"UPDATE account_tier t SET {assigned} FROM tier_moves m "
                "WHERE t.account_id = m.account_id AND t.scheme_id = m.scheme_id"
            )
        else:
            assigned = ", ".join(f"{name} = ?" for name in TIER_UPDATE)
            cursor.executemany(
                f"UPDATE account_tier SET {assigned} WHERE account_id = ? AND scheme_id = ?",
                [(*row[2:], row[0], row[1]) for row in rows],
            )
        cursor.close()
