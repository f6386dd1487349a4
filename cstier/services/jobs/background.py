"""Background jobs: work asked for from a page or the API, claimed and run by the scheduler process."""

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR, Actor, can_manage_book
from cstier.models import BackgroundJob, User
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.jobs.kinds import KINDS, JobKind
from cstier.services.jobs.leases import Lease
from cstier.services.jobs.operators import tell_operators
from cstier.services.unit_of_work import unit_of_work
from cstier.store.job_claims import claim_next_queued, write_aside

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class ProgressWriter:
    """Write a job's progress beside its transaction, at most a few times a second."""

    def __init__(self, engine: Engine, job_id: int, every_seconds: float = 0.5) -> None:
        self._engine, self._job_id, self._every = engine, job_id, every_seconds
        self._written_at = 0.0

    def __call__(self, done: int, total: int, message: str | None = None) -> None:
        """Record `done` of `total` steps; the last step is always written."""
        moment = time.monotonic()
        if done < total and moment - self._written_at < self._every:
            return
        self._written_at = moment
        values = {"progress_done": done, "progress_total": total}
        if message is not None:
            values["progress_message"] = message[:200]
        statement = update(BackgroundJob.__table__).where(
            BackgroundJob.id == self._job_id, BackgroundJob.status == "running"
        )
        write_aside(self._engine, statement.values(**values))


def enqueue(
    session: Session, actor: Actor, kind: str, params: Mapping, now: datetime | None = None
) -> BackgroundJob:
    """Queue a job of a known kind for the scheduler process; the actor's rights are checked now and when it runs."""
    job_kind = _kind(kind)
    _check(actor, job_kind)
    job_kind.ready(session)
    job = BackgroundJob(
        kind=kind,
        params=dict(params),
        status="queued",
        progress_done=0,
        progress_total=0,
        progress_message="Waiting for the scheduler to pick it up.",
        requested_by_id=actor.user_id,
        attempt=0,
        created_at=now or utcnow(),
    )
    with unit_of_work(session):
        session.add(job)
    return job


def get_job(session: Session, actor: Actor, job_id: int) -> BackgroundJob:
    """Return a job its requester, a manager or an admin may see."""
    job = session.get(BackgroundJob, job_id)
    if job is None or not (can_manage_book(actor) or job.requested_by_id == actor.user_id):
        raise NotFound(f"No background job #{job_id}.")
    return job


def recent_jobs(session: Session, actor: Actor, limit: int = 20) -> list[BackgroundJob]:
    """Return the newest background jobs the actor may see, newest first."""
    stmt = select(BackgroundJob).order_by(BackgroundJob.id.desc()).limit(limit)
    if not can_manage_book(actor):
        stmt = stmt.where(BackgroundJob.requested_by_id == actor.user_id)
    return list(session.scalars(stmt))


def work_once(
    session: Session,
    lease: Lease,
    config: Mapping,
    clock: Callable[[], datetime] = utcnow,
) -> int | None:
    """Claim the oldest queued job (or one whose worker died), run it and record the outcome.

    Returns the job's id, or None when the queue is empty. A job that fails has written
    nothing of its work (each kind runs one all-or-nothing use case); its error is kept and
    the admins are told.
    """
    now = clock()
    with unit_of_work(session):
        job_id = claim_next_queued(
            session, BackgroundJob.__table__, lease.holder, now, lease.until(now)
        )
    if job_id is None:
        return None
    job = session.get(BackgroundJob, job_id)
    session.refresh(job)
    kind, params, requested_by = job.kind, dict(job.params), job.requested_by_id
    progress = ProgressWriter(session.get_bind(), job_id)
    try:
        if job.attempt > MAX_ATTEMPTS:  # its workers died each time: stop taking the process down
            raise RuntimeError(f"gave up after {MAX_ATTEMPTS} attempts whose worker stopped")
        job_kind = _kind(kind)
        actor = _requester(session, requested_by)
        _check(actor, job_kind)
        result_url = job_kind.run(session, actor, params, progress, config)
    except Exception as exc:
        session.rollback()
        log.exception("background job #%s (%s) failed", job_id, kind)
        _finish(session, job_id, lease, clock(), error=str(exc)[:2000] or type(exc).__name__)
        tell_operators(
            session,
            f"background job #{job_id} ({kind}) failed",
            f"The {kind} job #{job_id} failed: {exc}\nNothing of its work was kept.",
        )
        return job_id
    _finish(session, job_id, lease, clock(), result_url=result_url)
    return job_id


def work_until_empty(session: Session, lease: Lease, config: Mapping, limit: int = 100) -> int:
    """Run queued jobs until none is left (at most `limit`); return how many ran."""
    ran = 0
    while ran < limit and work_once(session, lease, config) is not None:
        ran += 1
    return ran


def _finish(
    session: Session,
    job_id: int,
    lease: Lease,
    now: datetime,
    result_url: str | None = None,
    error: str | None = None,
) -> None:
    values = {"status": "failed" if error else "done", "finished_at": now, "lease_until": None}
    if error:
        values["error"] = error
    else:
        values["result_url"] = result_url
    with unit_of_work(session):
        session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.claimed_by == lease.holder)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()


def _kind(kind: str) -> JobKind:
    if kind not in KINDS:
        raise ValidationFailed(f"No background job kind {kind!r}.", {"kind": ["unknown kind"]})
    return KINDS[kind]


def _check(actor: Actor, kind: JobKind) -> None:
    if not kind.allowed(actor):
        raise Forbidden(kind.refusal)


def _requester(session: Session, user_id: int | None) -> Actor:
    """Return the requester as they are now: a user deactivated meanwhile has no rights left."""
    if user_id is None:
        return SYSTEM_ACTOR
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Forbidden("The user who asked for this job is no longer active.")
    return Actor(user_id=user.id, role=user.role)
