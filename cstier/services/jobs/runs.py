"""Scheduled runs: each fire time of a job is recorded once, claimed under a lease and run once."""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from cstier.domain.fire_times import as_utc, catch_up, fire_times
from cstier.models import JobRun
from cstier.models.base import utcnow
from cstier.services.jobs.leases import Lease
from cstier.services.jobs.operators import tell_operators
from cstier.services.unit_of_work import unit_of_work
from cstier.store.job_claims import insert_if_absent

log = logging.getLogger(__name__)

# A task does one job's work for one fire time (cstier/jobs/tasks.py).
Task = Callable[[Session, datetime], None]

# After long downtime only this far back is looked at: older fire times are not even recorded.
LOOKBACK = timedelta(days=7)
MAX_MISSED = 100
MAX_ATTEMPTS = 3


def _claimable(now: datetime):
    return or_(
        JobRun.status == "queued", and_(JobRun.status == "running", JobRun.lease_until < now)
    )


def due_fire_time(
    session: Session,
    job: str,
    trigger: CronTrigger,
    now: datetime,
    grace: timedelta,
    started_at: datetime,
) -> datetime | None:
    """Record the job's fire times that came due since it was last recorded; return the one to run.

    The newest due fire time within `grace` is queued to run; older ones are recorded as
    missed and the admins told. A job never recorded looks back from the scheduler's start
    less the grace, so a first start does not report the whole past as missed.
    """
    last = session.scalar(
        select(func.max(JobRun.scheduled_for)).where(
            JobRun.job == job, JobRun.trigger == "schedule"
        )
    )
    session.rollback()  # the writes below start their own transaction: no stale snapshot
    since = as_utc(last) if last is not None else started_at - grace
    since = max(since, now - LOOKBACK)
    plan = catch_up(list(fire_times(trigger, since, now)), now, grace)
    table = JobRun.__table__
    keys = [table.c.job, table.c.scheduled_for]
    with unit_of_work(session):
        # Only the rows this call recorded are reported: a second scheduler tells no one twice.
        missed = [
            moment
            for moment in plan.missed[-MAX_MISSED:]
            if insert_if_absent(
                session,
                table,
                _row(job, moment, "missed", finished_at=now, error="the scheduler was not running"),
                keys,
            )
        ]
        if plan.run is not None:
            insert_if_absent(session, table, _row(job, plan.run, "queued"), keys)
    if missed:
        times = ", ".join(m.isoformat() for m in missed[-10:])
        tell_operators(
            session,
            f"{job}: {len(missed)} scheduled runs missed",
            f"The scheduled job {job} did not run at {times} (UTC): no scheduler was running "
            "within the grace period. The next fire time runs as usual.",
        )
    return plan.run


def _row(job: str, scheduled_for: datetime, status: str, **values) -> dict:
    return {
        "job": job,
        "scheduled_for": scheduled_for,
        "trigger": "schedule",
        "status": status,
        "attempt": 0,
        **values,
    }


def pending_runs(session: Session, now: datetime) -> list[tuple[str, datetime]]:
    """Return (job, scheduled_for) of queued runs and of runs whose holder's lease ran out."""
    rows = session.execute(
        select(JobRun.job, JobRun.scheduled_for)
        .where(_claimable(now))
        .order_by(JobRun.scheduled_for)
    ).all()
    session.rollback()  # a read only: hold no snapshot while the runs go
    return [(job, as_utc(moment)) for job, moment in rows]


def claim_run(
    session: Session, job: str, scheduled_for: datetime, lease: Lease, now: datetime
) -> JobRun | None:
    """Claim a queued (or abandoned) fire time for this holder; None when another has it or it is done."""
    with unit_of_work(session):
        claimed = session.execute(
            update(JobRun)
            .where(JobRun.job == job, JobRun.scheduled_for == scheduled_for, _claimable(now))
            .values(
                status="running",
                holder=lease.holder,
                lease_until=lease.until(now),
                attempt=JobRun.attempt + 1,
                started_at=now,
                error=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    if claimed != 1:
        return None
    return session.scalar(
        select(JobRun).where(JobRun.job == job, JobRun.scheduled_for == scheduled_for)
    )


def run_fire_time(
    session: Session,
    job: str,
    scheduled_for: datetime,
    task: Task,
    lease: Lease,
    clock: Callable[[], datetime] = utcnow,
) -> str | None:
    """Claim one fire time, run its task, record the outcome; return it, or None if not claimed.

    A task that fails has rolled its own work back; the run records the error and the admins
    are told. A holder that dies leaves its lease to run out, and the next claim retries.
    """
    run = claim_run(session, job, scheduled_for, lease, clock())
    if run is None:
        return None
    run_id, attempt = run.id, run.attempt
    try:
        if attempt > MAX_ATTEMPTS:  # its holders died each time: stop taking schedulers down
            raise RuntimeError(f"gave up after {MAX_ATTEMPTS} attempts whose scheduler stopped")
        task(session, scheduled_for)
    except Exception as exc:
        session.rollback()
        log.exception("scheduled job %s (%s) failed", job, scheduled_for.isoformat())
        _finish(session, run_id, lease, "failed", clock(), str(exc)[:2000] or type(exc).__name__)
        tell_operators(
            session,
            f"{job} failed",
            f"The scheduled job {job} for {scheduled_for.isoformat()} (UTC), attempt {attempt}, "
            f"failed: {exc}\nNothing of the failed work was kept. See the admin jobs page.",
        )
        return "failed"
    _finish(session, run_id, lease, "succeeded", clock(), None)
    return "succeeded"


def _finish(
    session: Session, run_id: int, lease: Lease, status: str, now: datetime, error: str | None
) -> None:
    # Only while still the holder: a run taken over after a lost lease is the new holder's.
    with unit_of_work(session):
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.holder == lease.holder)
            .values(status=status, finished_at=now, error=error, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def request_run(session: Session, job: str, requested_by: int | None, now: datetime) -> JobRun:
    """Queue a run of a job now, outside its schedule."""
    run = JobRun(
        job=job,
        scheduled_for=now,
        trigger="manual",
        status="queued",
        attempt=0,
        requested_by_id=requested_by,
    )
    with unit_of_work(session):
        session.add(run)
    return run


def recent_runs(session: Session, jobs: Sequence[str], limit: int = 50) -> list[JobRun]:
    """Return the newest runs of the named jobs, newest first."""
    stmt = (
        select(JobRun)
        .where(JobRun.job.in_(list(jobs)))
        .order_by(JobRun.scheduled_for.desc(), JobRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
