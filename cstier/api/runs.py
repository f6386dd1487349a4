"""Tiering runs: managers start one (or a dry run); everyone reads their status."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import validate

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, id_in_path
from cstier.api.jobs import JobSchema
from cstier.extensions import db
from cstier.services.jobs import background
from cstier.services.tiering import history

blp = api_blueprint("runs", "/runs", "Re-tier the book and read how runs went.")


class RunSchema(ma.Schema):
    """One tiering run."""

    id = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "running, succeeded or failed"})
    dry_run = ma.fields.Boolean()
    trigger = ma.fields.String(metadata={"description": "cli, web, api or schedule"})
    triggered_by_id = ma.fields.Integer(allow_none=True)
    started_at = ma.fields.DateTime()
    finished_at = ma.fields.DateTime(allow_none=True)
    accounts_evaluated = ma.fields.Integer()
    scheme_versions = ma.fields.Dict(metadata={"description": "scheme key -> version used"})
    changes = ma.fields.Dict(metadata={"description": "scheme key -> tiers changed"})
    error = ma.fields.String(allow_none=True)


class StartRunSchema(ma.Schema):
    """How to run."""

    dry_run = ma.fields.Boolean(
        load_default=False, metadata={"description": "Evaluate and count changes, write nothing."}
    )


class RunQuerySchema(ma.Schema):
    """How many runs to list."""

    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


@blp.route("")
class RunCollection(MethodView):
    """Tiering runs."""

    @blp.arguments(RunQuerySchema, location="query")
    @blp.response(200, RunSchema(many=True))
    def get(self, args: dict):
        """List the newest runs first."""
        return history.recent_runs(db.session, args["limit"])

    @blp.arguments(StartRunSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, body: dict):
        """Queue a re-tier of every account (managers and admins); follow it at the job's Location."""
        job = background.enqueue(
            db.session, current_actor(), "retier", {"dry_run": body["dry_run"], "trigger": "api"}
        )
        return job, {"Location": url_for("api-jobs.JobItem", job_id=job.id)}


@blp.route(f"/{id_in_path('run_id')}")
class RunItem(MethodView):
    """One run."""

    @blp.response(200, RunSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, run_id: int):
        """Read a run's status, counts and error."""
        return history.get_run(db.session, run_id)
