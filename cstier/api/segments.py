"""Metrics per segment: accounts and ARR per tier of every active scheme."""

import marshmallow as ma
from flask.views import MethodView

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint
from cstier.extensions import db
from cstier.services.tiering import segments

blp = api_blueprint("segments", "/segments", "Accounts and ARR per tier and segment.")


class TierMetricsSchema(ma.Schema):
    """One tier's size."""

    tier = ma.fields.String()
    accounts = ma.fields.Integer()
    arr_cents = ma.fields.Integer()


class SchemeMetricsSchema(ma.Schema):
    """One scheme's tiers, largest ARR first."""

    scheme_id = ma.fields.Function(lambda row: row["scheme"].id)
    scheme_key = ma.fields.Function(lambda row: row["scheme"].key)
    scheme_name = ma.fields.Function(lambda row: row["scheme"].name)
    dimension = ma.fields.Function(lambda row: row["scheme"].dimension)
    tiers = ma.fields.List(ma.fields.Nested(TierMetricsSchema))


@blp.route("")
class Segments(MethodView):
    """Segment metrics."""

    @blp.response(200, SchemeMetricsSchema(many=True))
    def get(self):
        """Return accounts and ARR per tier of every active scheme, within the caller's book."""
        return segments.tier_summary(db.session, current_actor())
