"""Churn and retention per segment: one period, or the monthly trend (definitions: docs/metrics.md)."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint
from cstier.api.jobs import JobSchema
from cstier.extensions import db
from cstier.services.jobs import background
from cstier.services.metrics import churn, trend

blp = api_blueprint(
    "metrics", "/metrics", "Logo churn, GRR, NRR and the MRR bridge, in total or per segment."
)

BY = ma.fields.String(
    load_default=None,
    metadata={
        "description": "Split by a tier scheme key, coverage_model, csm (as on the period's "
        "start day), or plan, lifecycle_stage, region, vertical, attr.<key> (current values)."
    },
)


class ChurnQuerySchema(ma.Schema):
    """One period: its opening and closing snapshot days, and a split."""

    start = ma.fields.Date(required=True, metadata={"example": "2026-01-01"})
    end = ma.fields.Date(required=True, metadata={"example": "2026-02-01"})
    by = BY


class TrendQuerySchema(ma.Schema):
    """How many full months back, and a split."""

    periods = ma.fields.Integer(
        load_default=12, validate=ma.validate.Range(1, 120), metadata={"example": 12}
    )
    by = BY


@blp.route("/churn")
class Churn(MethodView):
    """One period's churn and retention."""

    @blp.arguments(ChurnQuerySchema, location="query")
    @blp.response(200)
    def get(self, args: dict):
        """Return start, end, by, total and segments (counts, cents, rates as fractions, bridge)."""
        return churn(db.session, current_actor(), args["start"], args["end"], args["by"])


@blp.route("/trend")
class Trend(MethodView):
    """The monthly series."""

    @blp.arguments(TrendQuerySchema, location="query")
    @blp.response(200)
    def get(self, args: dict):
        """Return each of the last full months' churn and retention, oldest first."""
        return trend(db.session, current_actor(), periods=args["periods"], by=args["by"])


@blp.route("/refresh")
class Refresh(MethodView):
    """Recompute the stored monthly figures."""

    @blp.response(202, JobSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self):
        """Queue a refresh of the stored figures (managers and admins); follow it at Location."""
        job = background.enqueue(db.session, current_actor(), "metrics", {})
        return job, {"Location": url_for("api-jobs.JobItem", job_id=job.id)}
