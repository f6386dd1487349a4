"""Follow a queued scheme preview over HTTP: its job, then the stored result page."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import BackgroundJob, SchemePreview, TierScheme
from cstier.services.tiering.preview_store import run_preview
from cstier.services.tiering.run import no_progress
from tests.queue import work_queue


def preview_jobs() -> list[BackgroundJob]:
    """Return the queued, running and finished preview jobs, oldest first."""
    with Session(db.engine) as fresh:
        stmt = select(BackgroundJob).where(BackgroundJob.kind == "preview")
        return list(fresh.scalars(stmt.order_by(BackgroundJob.id)))


def stored_previews() -> int:
    """Return how many previews are stored."""
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count()).select_from(SchemePreview))


def finish_preview(app, client) -> str:
    """Run the queue as the scheduler would and return the address of the newest preview's result."""
    work_queue(app)
    db.session.expire_all()  # the test's session, which requests share, saw the job queued
    job = preview_jobs()[-1]
    status = client.get(f"/jobs/{job.id}/status").get_data(as_text=True)
    assert job.status == "done", (job.status, job.error, status)
    assert 'id="job-result"' in status and job.result_url in status, status
    return job.result_url


def seed_preview(session, actor, scheme_id: int) -> int:
    """Store a preview of a scheme's current definition, as its job would; return its id."""
    definition = session.get(TierScheme, scheme_id).current.definition
    return run_preview(session, actor, scheme_id, definition, no_progress)
