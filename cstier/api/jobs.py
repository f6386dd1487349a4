"""Background jobs: what a POST that queues work (a re-tier) answers with, and how it goes."""

import marshmallow as ma
from flask.views import MethodView

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, id_in_path
from cstier.extensions import db
from cstier.services.jobs import background

blp = api_blueprint("jobs", "/jobs", "Follow work queued for the scheduler process.")


class JobSchema(ma.Schema):
    """One background job."""

    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "retier, import or report"})
    status = ma.fields.String(metadata={"description": "queued, running, done or failed"})
    progress_done = ma.fields.Integer()
    progress_total = ma.fields.Integer()
    progress_message = ma.fields.String(allow_none=True)
    result_url = ma.fields.String(allow_none=True, metadata={"description": "what the job made"})
    error = ma.fields.String(allow_none=True)
    requested_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


@blp.route(f"/{id_in_path('job_id')}")
class JobItem(MethodView):
    """One background job."""

    @blp.response(200, JobSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, job_id: int):
        """Read a job's status, progress, result and error (its requester, managers, admins)."""
        return background.get_job(db.session, current_actor(), job_id)
