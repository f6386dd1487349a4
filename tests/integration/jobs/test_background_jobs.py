"""Background jobs: claimed by one worker, progress recorded, a failure leaves nothing written."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import BackgroundJob, TieringRun
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.jobs import background
from cstier.services.jobs.leases import Lease
from tests.integration.jobs.conftest import in_threads
from tests.integration.tiering.conftest import count, tier_count


def stored(job_id: int) -> BackgroundJob:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(BackgroundJob, job_id)


def test_a_queued_re_tier_is_claimed_by_exactly_one_of_two_workers(app, book, manager):
    job = background.enqueue(db.session, Actor(manager.id, manager.role), "retier", {})

    ran = in_threads(
        app,
        2,
        lambda i: background.work_once(db.session, Lease(f"worker-{i}"), app.config),
    )

    assert sorted(ran, key=str) == [job.id, None]
    done = stored(job.id)
    assert (done.status, done.attempt, done.error) == ("done", 1, None)
    assert done.claimed_by in ("worker-0", "worker-1")
    assert done.result_url.startswith("/tiers/#run-")
    assert count(TieringRun) == 1 and tier_count() > 0
    assert "3 accounts" in done.progress_message


def test_a_failing_job_records_its_error_writes_nothing_and_tells_the_admins(
    app, book, manager, admin, failing_writes, smtp_inbox
):
    job = background.enqueue(db.session, Actor(manager.id, manager.role), "retier", {})
    failing_writes("tier_change")

    assert background.work_once(db.session, Lease("worker"), app.config) == job.id

    failed = stored(job.id)
    assert failed.status == "failed" and "disk full" in failed.error
    assert tier_count() == 0  # the run's tiers, history and outbox rolled back together
    with Session(db.engine) as fresh:
        assert fresh.scalars(select(TieringRun.status)).all() == ["failed"]
    [notice] = smtp_inbox.to(admin.email)
    assert f"background job #{job.id} (retier) failed" in notice["Subject"]


def test_a_worker_that_died_leaves_its_job_to_another_after_the_lease(app, book, manager):
    from datetime import timedelta

    from cstier.models.base import utcnow
    from cstier.store.job_claims import claim_next_queued  # the claim a dying worker made

    job = background.enqueue(db.session, Actor(manager.id, manager.role), "retier", {})
    now = utcnow()
    with db.session.begin():
        claim_next_queued(db.session, BackgroundJob.__table__, "dead", now, now)
    later = now + timedelta(seconds=1)

    assert background.work_once(db.session, Lease("alive"), app.config, lambda: later) == job.id
    done = stored(job.id)
    assert (done.status, done.claimed_by, done.attempt) == ("done", "alive", 2)


def test_who_may_queue_and_see_a_job(db_session, book, manager, csm, other_csm):
    with pytest.raises(Forbidden):
        background.enqueue(db_session, Actor(csm.id, csm.role), "retier", {})
    with pytest.raises(Forbidden, match="refresh the churn metrics"):
        background.enqueue(db_session, Actor(csm.id, csm.role), "metrics", {})
    with pytest.raises(ValidationFailed):
        background.enqueue(db_session, Actor(manager.id, manager.role), "nonsense", {})
    with pytest.raises(Forbidden, match="build reports"):
        background.enqueue(db_session, Actor(csm.id, csm.role), "report", {})
    queued = background.enqueue(db_session, Actor(manager.id, manager.role), "report", {})

    assert (
        background.get_job(db_session, Actor(manager.id, manager.role), queued.id).id == queued.id
    )
    with pytest.raises(NotFound):  # a CSM sees only the jobs they queued
        background.get_job(db_session, Actor(other_csm.id, other_csm.role), queued.id)


def test_a_re_tier_is_refused_before_it_is_queued_when_there_are_no_schemes(db_session, manager):
    with pytest.raises(ValidationFailed, match="no tier schemes"):
        background.enqueue(db_session, Actor(manager.id, manager.role), "retier", {})
    assert count(BackgroundJob) == 0


def test_a_queued_import_with_a_bad_row_fails_whole_and_keeps_its_file(
    app, db_session, manager, tmp_path
):
    from cstier.models import Company

    path = tmp_path / "companies.upload"
    path.write_text("external_id,name\nCO-1,Acme\nCO-2,\n", encoding="utf-8")
    params = {"kind": "companies", "path": str(path), "filename": "companies.csv"}
    job = background.enqueue(db_session, Actor(manager.id, manager.role), "import", params)

    background.work_once(db_session, Lease("worker"), app.config)

    failed = stored(job.id)
    assert failed.status == "failed" and "companies.csv was not imported (1 errors)" in failed.error
    assert count(Company) == 0 and path.exists()


def test_two_workers_claiming_at_once_take_different_jobs(app, db_session, manager):
    actor = Actor(manager.id, manager.role)
    queued = {background.enqueue(db_session, actor, "report", {}).id for _ in range(2)}

    claimed = in_threads(
        app, 2, lambda i: background.work_once(db.session, Lease(f"worker-{i}"), app.config)
    )

    assert set(claimed) == queued  # SKIP LOCKED on PostgreSQL: neither waits for the other's row
    assert {stored(job_id).status for job_id in queued} == {"done"}
