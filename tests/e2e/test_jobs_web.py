"""The admin jobs page, the scheduler's health, and a re-tier followed on its job page."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import JobRun, JobSchedule
from cstier.models.base import utcnow
from cstier.services.jobs.leases import Lease, beat
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory
from tests.queue import work_queue


@pytest.fixture
def book(db_session):
    """Two accounts and the default schemes: something to re-tier."""
    ensure_default_schemes(db_session)
    return [AccountFactory(arr_cents=300_000_00), AccountFactory(arr_cents=40_000_00)]


def rows(model) -> list:
    with Session(db.engine) as fresh:
        return list(fresh.scalars(select(model)))


def test_admins_see_each_job_with_its_next_run_and_run_one_now(client, auth, admin):
    auth.login(admin.email)

    page = client.get("/admin/jobs").get_data(as_text=True)
    queued = client.post("/admin/jobs/weekly_review/run")

    assert 'id="job-weekly_review"' in page and "Nightly re-tier" in page
    assert "0 7 * * mon" in page
    assert queued.status_code == 302
    assert [(r.job, r.trigger, r.status) for r in rows(JobRun)] == [
        ("weekly_review", "manual", "queued")
    ]
    assert client.post("/admin/jobs/no_such_job/run").status_code == 404


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("61 7 * * mon", "does not parse"),
        ("0 7 * *", "give five fields"),
        ("", "Give a cron expression"),
        ("0 7 * * " + "x" * 200, "Field cannot be longer than 120 characters"),
    ],
)
def test_a_bad_cron_is_refused_with_a_message_and_nothing_saved(client, auth, admin, cron, message):
    auth.login(admin.email)

    response = client.post("/admin/jobs/weekly_review/schedule", data={"cron": cron})

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rows(JobSchedule) == []


def test_a_good_cron_is_saved_and_shown(client, auth, admin):
    auth.login(admin.email)

    saved = client.post(
        "/admin/jobs/weekly_review/schedule", data={"cron": "30 6 * * mon"}, follow_redirects=True
    )

    assert saved.status_code == 200 and "now runs at &#39;30 6 * * mon&#39;" in saved.get_data(
        as_text=True
    )
    assert [(r.job, r.cron) for r in rows(JobSchedule)] == [("weekly_review", "30 6 * * mon")]


@pytest.mark.parametrize("role", ["manager", "csm"])
def test_only_admins_reach_the_jobs_page(client, auth, request, role):
    auth.login(request.getfixturevalue(role).email)
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/weekly_review/run").status_code == 403


def test_a_re_tier_from_the_tiers_page_shows_queued_then_done_with_a_link_to_the_run(
    app, client, auth, manager, book
):
    auth.login(manager.email)

    started = client.post("/tiers/runs", data={"run": "1"})
    status_url = started.headers["Location"] + "/status"
    queued = client.get(status_url).get_data(as_text=True)
    work_queue(app)
    done = client.get(status_url).get_data(as_text=True)

    assert 'data-status="queued"' in queued and 'hx-trigger="every 1s"' in queued
    assert 'data-status="done"' in done and "hx-trigger" not in done  # polling stops
    assert 'id="job-result" href="/tiers/#run-' in done


def test_healthz_is_503_when_an_expected_schedulers_heartbeat_is_stale(
    app, client, db_session, monkeypatch
):
    assert client.get("/healthz").json["scheduler_heartbeat"] is None  # not expected: still ok
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)
    monkeypatch.setitem(app.config, "SCHEDULER_STALE_SECONDS", 60)
    assert client.get("/healthz").status_code == 503  # expected, never seen

    now = utcnow()
    beat(db.engine, Lease("s1"), True, now - timedelta(hours=1), now - timedelta(minutes=5))
    stale = client.get("/healthz")
    beat(db.engine, Lease("s1"), True, now - timedelta(hours=1), now)
    fresh = client.get("/healthz")

    assert stale.status_code == 503 and stale.json["scheduler"] == "stale"
    assert fresh.status_code == 200 and fresh.json["scheduler_heartbeat"] is not None


def test_a_failed_run_stays_listed_with_its_error(client, auth, admin, db_session):
    from cstier.services.jobs.runs import request_run, run_fire_time

    def broken(session, at):
        raise RuntimeError("feed folder unreadable")

    run = request_run(db_session, "import_feed", admin.id, utcnow())
    run_fire_time(db_session, "import_feed", run.scheduled_for, broken, Lease("s1"))
    auth.login(admin.email)

    page = client.get("/admin/jobs").get_data(as_text=True)

    assert "feed folder unreadable" in page and 'id="run-table"' in page
