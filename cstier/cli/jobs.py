"""`cstier scheduler` and `cstier jobs`: the scheduler process and the background-job queue."""

import logging
import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from cstier.extensions import db
from cstier.jobs.scheduler import BlockingScheduler, SchedulerProcess, holder_name
from cstier.services.health import scheduler_health
from cstier.services.jobs.background import work_until_empty
from cstier.services.jobs.leases import Lease


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process: scheduled jobs (when it leads) and the background-job worker."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Every poll would log twice at INFO; failures still log at ERROR.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    process = SchedulerProcess(current_app._get_current_object(), BlockingScheduler)
    # A process manager stops it with SIGTERM: finish the running jobs, free the lead.
    signal.signal(signal.SIGTERM, lambda *_: process.scheduler.shutdown(wait=False))
    click.echo(f"Scheduler {process.lease.holder} starting; Ctrl+C or SIGTERM stops it.")
    try:
        process.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        process.shutdown()
        click.echo("Scheduler stopped.")


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs queued from the pages and the API."""


@jobs_group.command("work")
@click.option("--once", is_flag=True, help="Run what is queued now, then exit.")
@click.option("--every", default=3.0, show_default=True, help="Seconds between looks at the queue.")
@with_appcontext
def work(once: bool, every: float) -> None:
    """Run queued background jobs here, when no scheduler process runs them."""
    lease = Lease(holder_name(), current_app.config["JOB_LEASE_SECONDS"])
    while True:
        ran = work_until_empty(db.session, lease, current_app.config)
        if once:
            click.echo(f"Ran {ran} background job{'s' if ran != 1 else ''}.")
            return
        time.sleep(every)


@jobs_group.command("check")
@with_appcontext
def check() -> None:
    """Exit 0 when a scheduler beat within CSTIER_SCHEDULER_STALE_SECONDS, 1 when not (a health check)."""
    stale = current_app.config["SCHEDULER_STALE_SECONDS"]
    scheduler = scheduler_health(db.session, True, stale)
    if not scheduler.ok:
        beat = scheduler.last_heartbeat.isoformat() if scheduler.last_heartbeat else "never"
        raise click.ClickException(f"No scheduler heartbeat within {stale} s (last: {beat}).")
    click.echo(f"Scheduler beat at {scheduler.last_heartbeat.isoformat()}.")


COMMANDS = (scheduler_command, jobs_group)
