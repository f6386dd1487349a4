"""Job schedules: the declared cron or an admin's override, in the workspace timezone; the jobs page."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.fire_times import InvalidCron, JobPlan, as_utc, next_fire_time, parse_cron
from cstier.domain.permissions import Actor, can_manage_settings
from cstier.models import BackgroundJob, JobRun, JobSchedule, Workspace
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.jobs.background import recent_jobs
from cstier.services.jobs.runs import recent_runs, request_run
from cstier.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class JobTimetable:
    """When one job fires: its effective cron expression in the workspace timezone."""

    plan: JobPlan
    cron: str
    timezone: str
    overridden: bool

    @property
    def trigger(self) -> CronTrigger:
        """Return the APScheduler trigger that computes the fire times."""
        return parse_cron(self.cron, self.timezone)


@dataclass(frozen=True)
class JobStatus:
    """A line of the admin jobs page."""

    timetable: JobTimetable
    next_run: datetime | None
    last_run: JobRun | None

    @property
    def duration_seconds(self) -> float | None:
        """Return how long the last run took, when it has finished."""
        run = self.last_run
        if run is None or run.started_at is None or run.finished_at is None:
            return None
        return (as_utc(run.finished_at) - as_utc(run.started_at)).total_seconds()


def workspace_timezone(session: Session) -> str:
    """Return the workspace's timezone name (UTC before the workspace is set up)."""
    return session.scalar(select(Workspace.timezone).limit(1)) or "UTC"


def timetables(session: Session, plans: Sequence[JobPlan]) -> list[JobTimetable]:
    """Return each declared job's effective cron: an admin's override, else its default."""
    tz = workspace_timezone(session)
    overrides = {
        job: cron for job, cron in session.execute(select(JobSchedule.job, JobSchedule.cron))
    }
    session.rollback()  # a read only
    return [JobTimetable(p, overrides.get(p.name, p.cron), tz, p.name in overrides) for p in plans]


def job_statuses(
    session: Session, actor: Actor, plans: Sequence[JobPlan], now: datetime | None = None
) -> list[JobStatus]:
    """Return each job's next run and last run, for admins."""
    _admins_only(actor)
    now = now or utcnow()
    out = []
    for timetable in timetables(session, plans):
        last = session.scalar(
            select(JobRun)
            .where(JobRun.job == timetable.plan.name, JobRun.status != "queued")
            .order_by(JobRun.scheduled_for.desc())
            .limit(1)
        )
        out.append(JobStatus(timetable, next_fire_time(timetable.trigger, now), last))
    return out


@dataclass(frozen=True)
class JobsOverview:
    """The admin jobs page: each job's status, recent fire times and recent background jobs."""

    statuses: list[JobStatus]
    recent_runs: list[JobRun]
    background_jobs: list[BackgroundJob]


def jobs_overview(
    session: Session, actor: Actor, plans: Sequence[JobPlan], now: datetime | None = None
) -> JobsOverview:
    """Return what the admin jobs page shows; failed and missed runs stay listed after a success."""
    statuses = job_statuses(session, actor, plans, now)
    return JobsOverview(
        statuses,
        recent_runs(session, [p.name for p in plans], limit=30),
        recent_jobs(session, actor),
    )


def set_schedule(
    session: Session,
    actor: Actor,
    plans: Sequence[JobPlan],
    job: str,
    cron: str,
    now: datetime | None = None,
) -> JobTimetable:
    """Save a job's cron expression; a bad one is refused and nothing is saved."""
    _admins_only(actor)
    now = now or utcnow()
    plan = _plan(plans, job)
    cron = " ".join(cron.split())
    try:
        parse_cron(cron, workspace_timezone(session))
    except InvalidCron as exc:
        raise ValidationFailed(str(exc), {"cron": [str(exc)]}) from exc
    with unit_of_work(session):
        row = session.get(JobSchedule, plan.name)
        if cron == plan.cron:
            if row is not None:
                session.delete(row)  # back to the default: it follows future default changes
        elif row is None:
            session.add(
                JobSchedule(job=plan.name, cron=cron, updated_by_id=actor.user_id, updated_at=now)
            )
        else:
            row.cron, row.updated_by_id, row.updated_at = cron, actor.user_id, now
    return next(t for t in timetables(session, plans) if t.plan.name == plan.name)


def run_now(
    session: Session, actor: Actor, plans: Sequence[JobPlan], job: str, now: datetime | None = None
) -> JobRun:
    """Queue a job to run as soon as the scheduler sees it."""
    _admins_only(actor)
    return request_run(session, _plan(plans, job).name, actor.user_id, now or utcnow())


def _plan(plans: Sequence[JobPlan], job: str) -> JobPlan:
    for plan in plans:
        if plan.name == job:
            return plan
    raise NotFound(f"No scheduled job {job!r}.")


def _admins_only(actor: Actor) -> None:
    if not can_manage_settings(actor):
        raise Forbidden("Only admins see and change the scheduled jobs.")
