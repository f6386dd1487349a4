"""Leases on claimed work and the scheduler's heartbeat, written beside the work's transaction."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from cstier.domain.fire_times import as_utc
from cstier.models import BackgroundJob, JobRun, SchedulerHeartbeat
from cstier.store.job_claims import insert_ignoring, write_aside


@dataclass(frozen=True)
class Lease:
    """Who holds claimed work and for how long before others may take it over."""

    holder: str
    seconds: int = 300

    def until(self, now: datetime) -> datetime:
        """Return when a lease taken or renewed now runs out."""
        return now + timedelta(seconds=self.seconds)


def beat(engine: Engine, lease: Lease, leader: bool, started_at: datetime, now: datetime) -> bool:
    """Record that this scheduler lives and renew the leases on its work; return whether all was written.

    Each write commits on its own, beside any job's transaction, and is skipped rather than
    waited for when the database is busy: the next beat writes it.
    """
    table = SchedulerHeartbeat.__table__
    until = lease.until(now)
    row = {"holder": lease.holder, "leader": leader, "started_at": started_at, "beat_at": now}
    statements = [
        insert_ignoring(engine, table, row, [table.c.holder]),
        update(table).where(table.c.holder == lease.holder).values(leader=leader, beat_at=now),
        update(JobRun.__table__)
        .where(JobRun.holder == lease.holder, JobRun.status == "running")
        .values(lease_until=until),
        update(BackgroundJob.__table__)
        .where(BackgroundJob.claimed_by == lease.holder, BackgroundJob.status == "running")
        .values(lease_until=until),
    ]
    return all([write_aside(engine, statement) for statement in statements])


def last_heartbeat(session: Session) -> datetime | None:
    """Return when any scheduler last showed it was alive."""
    moment = session.scalar(select(func.max(SchedulerHeartbeat.beat_at)))
    return as_utc(moment) if moment is not None else None
