"""Helpers for the scheduler's tests: threads with sessions of their own, and the job-run rows."""

import threading
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import JobRun
from tests.integration.tiering.conftest import book  # noqa: F401 - fixture
from tests.smtp import smtp_inbox  # noqa: F401 - fixture


def in_threads(app, count: int, work: Callable[[int], object]) -> list:
    """Run work(i) in `count` threads at once, each in its own app context (its own session)."""
    results: list = [None] * count
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def one(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
            except BaseException as exc:  # reported in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def job_runs(job: str) -> list[JobRun]:
    """Return the committed runs of a job, oldest fire time first."""
    with Session(db.engine, expire_on_commit=False) as fresh:
        return list(
            fresh.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.scheduled_for))
        )
