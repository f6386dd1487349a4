"""Capacity: per-CSM load and per-coverage-model headcount, the numbers of the capacity page."""

from flask.views import MethodView

from cstier.api.base import api_blueprint
from cstier.extensions import db
from cstier.services.coverage.capacity import capacity_report

blp = api_blueprint("capacity", "/capacity", "CSM load and headcount per coverage model.")


@blp.route("")
class Capacity(MethodView):
    """Capacity report."""

    @blp.response(200)
    def get(self):
        """Return each CSM's load against target and each model's required vs current headcount."""
        report = capacity_report(db.session)
        return {"csms": report.csms, "models": report.models, "unassigned": report.unassigned}
