"""`cstier jobs check`: the scheduler container's health check, from its heartbeat."""

from datetime import timedelta

from cstier.extensions import db
from cstier.models.base import utcnow
from cstier.services.jobs.leases import Lease, beat


def test_without_a_heartbeat_the_check_fails(runner, app_ctx):
    result = runner.invoke(args=["jobs", "check"])

    assert result.exit_code == 1
    assert "No scheduler heartbeat within 120 s (last: never)" in result.output


def test_a_fresh_heartbeat_passes(runner, app_ctx):
    now = utcnow()
    beat(db.engine, Lease("host-a"), True, now, now)

    result = runner.invoke(args=["jobs", "check"])

    assert result.exit_code == 0 and "Scheduler beat at" in result.output


def test_a_heartbeat_older_than_the_threshold_fails(runner, app_ctx):
    old = utcnow() - timedelta(minutes=10)
    beat(db.engine, Lease("host-a"), True, old, old)

    result = runner.invoke(args=["jobs", "check"])

    assert result.exit_code == 1 and "No scheduler heartbeat within 120 s" in result.output
