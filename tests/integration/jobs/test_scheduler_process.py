"""The scheduler process: leads, fires jobs in the workspace timezone, follows edits, runs "run now"."""

from datetime import UTC, datetime, timedelta

import pytest

from cstier.domain.fire_times import as_utc
from cstier.domain.permissions import Actor
from cstier.jobs.schedule import ScheduledJob
from cstier.jobs.scheduler import BackgroundScheduler, SchedulerProcess
from cstier.models import Workspace
from cstier.services.errors import ValidationFailed
from cstier.services.jobs import schedules
from cstier.services.jobs.leases import last_heartbeat
from tests.integration.jobs.conftest import job_runs

# Monday 2026-03-30 07:00 in Berlin (CEST, UTC+2).
MONDAY_SEVEN = datetime(2026, 3, 30, 5, 0, tzinfo=UTC)


@pytest.fixture
def berlin(db_session):
    db_session.add(Workspace(id=1, timezone="Europe/Berlin"))
    db_session.commit()


@pytest.fixture
def process(app, berlin):
    calls: list[datetime] = []
    job = ScheduledJob("weekly_test", "Weekly test", "0 7 * * mon", lambda s, at: calls.append(at))
    now = {"at": MONDAY_SEVEN + timedelta(seconds=3)}
    process = SchedulerProcess(
        app, BackgroundScheduler, jobs=[job], holder="test-scheduler", clock=lambda: now["at"]
    )
    process.calls, process.now = calls, now
    yield process
    process.shutdown()


def test_the_leader_fires_the_weekly_job_at_seven_in_the_workspace_timezone(process, db_session):
    process.heartbeat()
    assert process.leading
    assert str(process.scheduler.get_job("weekly_test").trigger.timezone) == "Europe/Berlin"

    process.fire("weekly_test")
    process.fire("weekly_test")  # a second wake-up for the same fire time runs nothing

    assert process.calls == [MONDAY_SEVEN]
    [run] = job_runs("weekly_test")
    assert (as_utc(run.scheduled_for), run.status) == (MONDAY_SEVEN, "succeeded")
    assert last_heartbeat(db_session) == MONDAY_SEVEN + timedelta(seconds=3)


def test_an_edited_schedule_is_followed_and_run_now_is_run(process, db_session, admin):
    actor = Actor(admin.id, admin.role)
    process.heartbeat()

    schedules.set_schedule(
        db_session, actor, list(process.jobs.values()), "weekly_test", "30 8 * * *"
    )
    process.heartbeat()
    schedules.run_now(db_session, actor, list(process.jobs.values()), "weekly_test")
    process.run_pending()

    assert "hour='8'" in str(process.scheduler.get_job("weekly_test").trigger)
    assert len(process.calls) == 1
    assert [r.trigger for r in job_runs("weekly_test")] == ["manual"]


@pytest.mark.parametrize("cron", ["", "every monday", "0 7 * *", "0 7 * * funday", "99 * * * *"])
def test_a_cron_that_does_not_parse_is_refused_and_nothing_saved(process, db_session, admin, cron):
    plans = list(process.jobs.values())
    with pytest.raises(ValidationFailed) as refused:
        schedules.set_schedule(db_session, Actor(admin.id, admin.role), plans, "weekly_test", cron)

    assert refused.value.errors["cron"]
    [timetable] = schedules.timetables(db_session, plans)
    assert (timetable.cron, timetable.overridden) == ("0 7 * * mon", False)
