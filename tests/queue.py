"""Run the background-job queue in a test, as the scheduler process's worker would."""

from flask import Flask

from cstier.extensions import db
from cstier.services.jobs.background import work_until_empty
from cstier.services.jobs.leases import Lease


def work_queue(app: Flask, holder: str = "test-worker") -> int:
    """Run every queued background job; return how many ran."""
    with app.app_context():
        ran = work_until_empty(db.session, Lease(holder), app.config)
        db.session.remove()
    return ran
