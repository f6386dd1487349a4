"""Each fire time of a scheduled job completes once: claimed under a lease, taken over when it lapses."""

import os
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from cstier.domain.fire_times import as_utc, parse_cron
from cstier.extensions import db
from cstier.services.jobs.leadership import Leadership
from cstier.services.jobs.leases import Lease
from cstier.services.jobs.runs import claim_run, due_fire_time, pending_runs, run_fire_time
from tests.integration.jobs.conftest import in_threads, job_runs

GRACE = timedelta(hours=1)
# Monday 2026-03-30 07:00 in Berlin (CEST) is 05:00 UTC.
MONDAY_SEVEN = datetime(2026, 3, 30, 5, 0, tzinfo=UTC)
WEEKLY = parse_cron("0 7 * * mon", "Europe/Berlin")
HOURLY = parse_cron("0 * * * *", "UTC")
ON_POSTGRESQL = bool(os.environ.get("CSTIER_TEST_DATABASE_URL"))


class CountingTask:
    """A task that counts its calls and takes a moment, so concurrent schedulers overlap."""

    def __init__(self, fail: str | None = None) -> None:
        self.calls: list[datetime] = []
        self._lock = threading.Lock()
        self._fail = fail

    def __call__(self, session, scheduled_for: datetime) -> None:
        with self._lock:
            self.calls.append(scheduled_for)
        time.sleep(0.2)
        if self._fail:
            raise RuntimeError(self._fail)


def test_two_schedulers_firing_the_weekly_job_complete_it_once(app, db_session):
    task = CountingTask()
    now = MONDAY_SEVEN + timedelta(seconds=2)
    started = now - timedelta(days=1)

    def scheduler(i: int):
        due = due_fire_time(db.session, "weekly_review", WEEKLY, now, GRACE, started)
        return run_fire_time(
            db.session, "weekly_review", due, task, Lease(f"scheduler-{i}"), lambda: now
        )

    outcomes = in_threads(app, 2, scheduler)

    assert sorted(outcomes, key=str) == [None, "succeeded"]
    assert task.calls == [MONDAY_SEVEN]
    [run] = job_runs("weekly_review")
    assert (as_utc(run.scheduled_for), run.status, run.attempt) == (MONDAY_SEVEN, "succeeded", 1)


def test_a_run_whose_lease_ran_out_is_taken_over_and_retried(db_session):
    lease = Lease("dies", seconds=60)
    due = due_fire_time(
        db_session, "weekly_review", WEEKLY, MONDAY_SEVEN, GRACE, MONDAY_SEVEN - GRACE
    )
    assert claim_run(db_session, "weekly_review", due, lease, MONDAY_SEVEN) is not None
    task = CountingTask()
    soon, later = MONDAY_SEVEN + timedelta(seconds=30), MONDAY_SEVEN + timedelta(seconds=61)

    assert run_fire_time(db_session, "weekly_review", due, task, Lease("b"), lambda: soon) is None
    assert pending_runs(db_session, later) == [("weekly_review", MONDAY_SEVEN)]
    taken = run_fire_time(db_session, "weekly_review", due, task, Lease("b"), lambda: later)

    assert taken == "succeeded" and task.calls == [MONDAY_SEVEN]
    [run] = job_runs("weekly_review")
    assert (run.status, run.holder, run.attempt) == ("succeeded", "b", 2)
    assert pending_runs(db_session, later) == []


def test_after_downtime_the_fire_time_within_grace_runs_once_and_older_ones_are_missed(
    db_session, admin, smtp_inbox
):
    started = datetime(2026, 1, 5, 5, 30, tzinfo=UTC)
    now = datetime(2026, 1, 5, 10, 10, tzinfo=UTC)
    grace = timedelta(minutes=30)

    due = due_fire_time(db_session, "import_feed", HOURLY, now, grace, started)
    again = due_fire_time(
        db_session, "import_feed", HOURLY, now + timedelta(minutes=1), grace, started
    )

    assert due == datetime(2026, 1, 5, 10, tzinfo=UTC) and again is None
    runs = {as_utc(r.scheduled_for).hour: r.status for r in job_runs("import_feed")}
    assert runs == {6: "missed", 7: "missed", 8: "missed", 9: "missed", 10: "queued"}
    [notice] = smtp_inbox.to(admin.email)
    assert "4 scheduled runs missed" in notice["Subject"]


def test_a_failed_run_is_recorded_and_the_admins_are_emailed(db_session, admin, smtp_inbox):
    due = due_fire_time(db_session, "nightly_retier", HOURLY, MONDAY_SEVEN, GRACE, MONDAY_SEVEN)
    task = CountingTask(fail="the book could not be read")

    outcome = run_fire_time(
        db_session, "nightly_retier", due, task, Lease("a"), lambda: MONDAY_SEVEN
    )

    assert outcome == "failed"
    [run] = job_runs("nightly_retier")
    assert (run.status, run.error) == ("failed", "the book could not be read")
    [notice] = smtp_inbox.to(admin.email)
    assert notice["Subject"] == "[cstier] nightly_retier failed"
    assert "the book could not be read" in notice.get_payload()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the leader lock is PostgreSQL's advisory lock")
def test_the_second_scheduler_stands_by_until_the_leaders_connection_closes(app_ctx):
    first, second = Leadership(db.engine), Leadership(db.engine)
    try:
        assert first.check() is True
        assert second.check() is False
        assert first.check() is True  # keeping the lead, not taking it twice
        first.step_down()
        assert second.check() is True
        assert first.check() is False
    finally:
        first.step_down()
        second.step_down()


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite has no advisory lock")
def test_on_sqlite_every_scheduler_leads_and_the_job_runs_keep_each_fire_time_once(app_ctx):
    assert Leadership(db.engine).check() and Leadership(db.engine).check()


def test_a_fire_time_whose_holders_keep_dying_is_given_up_after_three_attempts(db_session):
    due = due_fire_time(db_session, "weekly_review", WEEKLY, MONDAY_SEVEN, GRACE, MONDAY_SEVEN)
    moment = MONDAY_SEVEN
    for holder in ("a", "b", "c"):
        assert claim_run(db_session, "weekly_review", due, Lease(holder, 60), moment) is not None
        moment += timedelta(seconds=61)
    task = CountingTask()

    outcome = run_fire_time(db_session, "weekly_review", due, task, Lease("d"), lambda: moment)

    assert outcome == "failed" and task.calls == []
    [run] = job_runs("weekly_review")
    assert (run.attempt, run.status) == (4, "failed") and "gave up after 3" in run.error
