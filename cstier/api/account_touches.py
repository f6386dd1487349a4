"""An account's touches: log a call, meeting, QBR or email, and list them."""

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, id_in_path
from cstier.api.fields import Text
from cstier.domain.engagement import TOUCH_KINDS
from cstier.extensions import db
from cstier.services import engagement

blp = api_blueprint("account-touches", "/accounts", "Touches logged with an account.")


class TouchSchema(ma.Schema):
    """One touch: kind, day, CSM and note."""

    id = ma.fields.Integer(dump_only=True)
    account_id = ma.fields.Integer(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(list(TOUCH_KINDS)))
    occurred_on = ma.fields.Date(required=True, metadata={"description": "YYYY-MM-DD."})
    csm_id = ma.fields.Integer(dump_only=True, allow_none=True)
    note = Text(engagement.MAX_NOTE, load_default="")
    created_at = ma.fields.DateTime(dump_only=True)


@blp.route(f"/{id_in_path('account_id')}/touches")
class AccountTouches(MethodView):
    """The account's touches."""

    @blp.response(200, TouchSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, account_id: int):
        """List the account's latest touches, newest first."""
        return engagement.list_touches(db.session, current_actor(), account_id)

    @blp.arguments(TouchSchema)
    @blp.response(201, TouchSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, values: dict, account_id: int):
        """Log a touch on an account you may edit; the CSM is you."""
        return engagement.log_touch(db.session, current_actor(), account_id, values)
