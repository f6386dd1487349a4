"""The scheduler process: APScheduler computes fire times; the job-run table decides what runs."""

import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from cstier.extensions import db
from cstier.jobs.schedule import SCHEDULED_JOBS, ScheduledJob
from cstier.models.base import utcnow
from cstier.services.jobs.background import work_until_empty
from cstier.services.jobs.leadership import Leadership
from cstier.services.jobs.leases import Lease, beat
from cstier.services.jobs.runs import due_fire_time, pending_runs, run_fire_time
from cstier.services.jobs.schedules import JobTimetable, timetables

log = logging.getLogger(__name__)

__all__ = ["BackgroundScheduler", "BlockingScheduler", "SchedulerProcess", "holder_name"]


def holder_name() -> str:
    """Return a name for this process that no other scheduler shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SchedulerProcess:
    """One scheduler: a heartbeat, the scheduled jobs (when leading) and the background worker."""

    def __init__(
        self,
        app: Flask,
        scheduler_class: type[BaseScheduler] = BlockingScheduler,
        jobs: Sequence[ScheduledJob] = SCHEDULED_JOBS,
        holder: str | None = None,
        clock: Callable = utcnow,
    ) -> None:
        config = app.config
        self.app, self.jobs, self.clock = app, {j.name: j for j in jobs}, clock
        self.lease = Lease(holder or holder_name(), config["JOB_LEASE_SECONDS"])
        self.grace = timedelta(seconds=config["SCHEDULER_GRACE_SECONDS"])
        self.started_at = clock()
        self.leading = False
        with app.app_context():
            self.leadership = Leadership(db.engine)
        self.scheduler = scheduler_class(
            timezone=UTC,
            job_defaults={
                # Downtime of this process alone: run a late fire time once, within grace.
                "misfire_grace_time": config["SCHEDULER_GRACE_SECONDS"],
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._timetables: dict[str, JobTimetable] = {}
        every = config["SCHEDULER_POLL_SECONDS"]
        self.scheduler.add_job(self.heartbeat, "interval", seconds=every, id="heartbeat")
        self.scheduler.add_job(self.run_pending, "interval", seconds=every, id="pending")
        self.scheduler.add_job(
            self.work, "interval", seconds=config["WORKER_POLL_SECONDS"], id="worker"
        )

    def start(self) -> None:
        """Beat once, schedule the jobs, and run (blocking, or in the background)."""
        self.heartbeat()
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop the scheduler and give up the lead."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        with self.app.app_context():
            self.leadership.step_down()

    def heartbeat(self) -> None:
        """Say this process lives, renew leases, take the lead if free, follow schedule edits."""
        with self.app.app_context():
            was_leading, self.leading = self.leading, self.leadership.check()
            beat(db.engine, self.lease, self.leading, self.started_at, self.clock())
            self._follow_timetables()
            if self.leading and not was_leading:
                log.info("scheduler %s leads; catching up missed fire times", self.lease.holder)
                for name in self.jobs:  # on the pool, so the heartbeat goes on meanwhile
                    self.scheduler.add_job(
                        self.fire, args=[name], id=f"catch-up:{name}", replace_existing=True
                    )
            db.session.remove()

    def fire(self, name: str) -> None:
        """Record the job's due fire times and run the newest within grace (when leading)."""
        if not self.leading:
            return
        with self.app.app_context():
            timetable = self._timetables.get(name)
            if timetable is not None:
                due = due_fire_time(
                    db.session, name, timetable.trigger, self.clock(), self.grace, self.started_at
                )
                if due is not None:
                    run_fire_time(
                        db.session, name, due, self.jobs[name].task, self.lease, self.clock
                    )
            db.session.remove()

    def run_pending(self) -> None:
        """Run fire times queued by "run now" and those whose holder's lease ran out (when leading)."""
        if not self.leading:
            return
        with self.app.app_context():
            for name, scheduled_for in pending_runs(db.session, self.clock()):
                if name in self.jobs:
                    task = self.jobs[name].task
                    run_fire_time(db.session, name, scheduled_for, task, self.lease, self.clock)
            db.session.remove()

    def work(self) -> None:
        """Run the queued background jobs; every scheduler, leading or standby, works the queue."""
        with self.app.app_context():
            work_until_empty(db.session, self.lease, self.app.config)
            db.session.remove()

    def _follow_timetables(self) -> None:
        """Schedule each job by its effective cron and timezone; reschedule when an admin edits one."""
        for timetable in timetables(db.session, list(self.jobs.values())):
            name = timetable.plan.name
            if self._timetables.get(name) == timetable:
                continue
            self._timetables[name] = timetable
            if self.scheduler.get_job(name) is None:
                self.scheduler.add_job(self.fire, timetable.trigger, args=[name], id=name)
            else:
                self.scheduler.reschedule_job(name, trigger=timetable.trigger)
            log.info("%s fires at %r (%s)", name, timetable.cron, timetable.timezone)
