"""Is the database reachable, and is the scheduler alive?"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from cstier.models.base import utcnow
from cstier.services.jobs.leases import last_heartbeat
from cstier.store.connections import statement_timed_out

log = logging.getLogger(__name__)


def database_ok(session: Session) -> bool:
    """Return True when a trivial query answers."""
    try:
        session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not reachable" to a health check
        log.exception("health check: database unreachable")
        session.rollback()
        return False


def too_slow(error: BaseException) -> bool:
    """Return whether a database error means a statement ran past its timeout (not an outage)."""
    return statement_timed_out(error)


@dataclass(frozen=True)
class SchedulerHealth:
    """When a scheduler last beat, and whether that is fine for a workspace that expects one."""

    last_heartbeat: datetime | None
    ok: bool


def scheduler_health(session: Session, expected: bool, stale_seconds: int) -> SchedulerHealth:
    """Report the newest scheduler heartbeat; stale or missing is unhealthy only when a scheduler is expected."""
    try:
        last = last_heartbeat(session)
    except Exception:  # the database check reports an unreachable database
        session.rollback()
        return SchedulerHealth(None, not expected)
    fresh = last is not None and utcnow() - last <= timedelta(seconds=stale_seconds)
    return SchedulerHealth(last, fresh or not expected)
