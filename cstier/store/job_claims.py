"""Claims for the scheduler: insert-if-absent, skip-locked queue claims, the leader lock, side writes."""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Executable,
    Table,
    and_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# One key for the whole workspace: whoever holds it is the active scheduler.
LEADER_LOCK_KEY = 0x637374696572  # "cstier"


def insert_ignoring(
    bind: Engine | Connection, table: Table, values: Mapping[str, Any], keys: Sequence[Column]
) -> Executable:
    """Return an INSERT of one row that does nothing when a row already holds its key."""
    insert = postgresql.insert if _is_postgresql(bind) else sqlite.insert
    return insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))


def insert_if_absent(
    session: Session, table: Table, values: Mapping[str, Any], keys: Sequence[Column]
) -> bool:
    """Insert a row unless one holds its key; return whether this call inserted it."""
    # RETURNING, not rowcount: the PostgreSQL driver reports no count for this statement here.
    stmt = insert_ignoring(session.get_bind(), table, values, keys).returning(keys[0])
    return session.execute(stmt).first() is not None


def claim_next_queued(
    session: Session, table: Table, holder: str, now: datetime, lease_until: datetime
) -> int | None:
    """Claim the oldest queued row of a job table, or a running one whose lease expired.

    One UPDATE whose subquery picks the row: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
    parallel workers each take a different row without waiting; SQLite takes its one write
    lock before it reads, so a second claimer waits and then sees the first's claim.
    Returns the claimed row's id (not yet committed).
    """
    c = table.c
    claimable = or_(c.status == "queued", and_(c.status == "running", c.lease_until < now))
    pick = select(c.id).where(claimable).order_by(c.id).limit(1)
    if _is_postgresql(session.get_bind()):
        pick = pick.with_for_update(skip_locked=True)
    claim = (
        update(table)
        .where(c.id == pick.scalar_subquery(), claimable)
        .values(
            status="running",
            claimed_by=holder,
            lease_until=lease_until,
            attempt=c.attempt + 1,
            started_at=now,
        )
        .returning(c.id)
    )
    return session.execute(claim).scalar()


def write_aside(engine: Engine, statement: Executable, wait_ms: int = 200) -> bool:
    """Run one small write on its own connection and commit it; give up rather than wait long.

    Progress and lease renewals are written beside the job's own transaction. On SQLite that
    transaction holds the one write lock while it works, so the side write is skipped then.
    """
    try:
        with engine.connect() as conn:
            if _is_postgresql(engine):
                conn.execute(text(f"SET LOCAL lock_timeout = '{int(wait_ms)}ms'"))
            else:
                # The one write lock is held for a whole run: waiting for it longer only slows the run.
                conn.exec_driver_sql(f"PRAGMA busy_timeout={min(int(wait_ms), 20)}")
            try:
                conn.execute(statement)
                conn.commit()
            finally:
                if not _is_postgresql(engine):
                    conn.exec_driver_sql("PRAGMA busy_timeout=10000")
        return True
    except OperationalError:
        log.info("side write skipped: the database is busy with the job's own transaction")
        return False


class LeaderLock:
    """The active scheduler's lock: a PostgreSQL advisory lock held on a dedicated connection.

    It lasts as long as that connection, so a scheduler that dies frees it and a standby
    takes over. SQLite has no such lock: every scheduler leads, and the job-run rows alone
    keep each fire time to one run.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    @property
    def held(self) -> bool:
        """Return whether this process holds the lock."""
        return self._connection is not None or not _is_postgresql(self._engine)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; return whether this process holds it now."""
        if self.held:
            return self._still_connected()
        connection = self._engine.connect()
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
        ).scalar()
        connection.commit()
        if got:
            self._connection = connection
        else:
            connection.close()
        return bool(got)

    def release(self) -> None:
        """Give the lock up by closing its connection."""
        if self._connection is not None:
            self._connection.invalidate()  # a pooled connection would keep the lock
            self._connection.close()
            self._connection = None

    def _still_connected(self) -> bool:
        if self._connection is None:
            return True
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except OperationalError:
            log.warning("lost the scheduler's leader connection; standing by")
            self._connection = None
            return False


def _is_postgresql(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"
