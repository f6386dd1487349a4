"""Custom attributes: everyone lists them; managers and admins define new ones."""

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint
from cstier.api.fields import Text
from cstier.domain.customer import ATTRIBUTE_CATEGORIES, ATTRIBUTE_TYPES
from cstier.extensions import db
from cstier.services import workspace

blp = api_blueprint("attributes", "/attributes", "Custom attributes accounts carry.")


class AttributeSchema(ma.Schema):
    """A custom attribute definition; an import fills it from an attr.<key> column."""

    id = ma.fields.Integer(dump_only=True)
    key = Text(
        60, required=True, metadata={"description": "a-z, 0-9 and _, starting with a letter"}
    )
    label = Text(120, load_default="")
    data_type = ma.fields.String(required=True, validate=validate.OneOf(ATTRIBUTE_TYPES))
    category = ma.fields.String(
        load_default="behavioural", validate=validate.OneOf(ATTRIBUTE_CATEGORIES)
    )
    choices = ma.fields.List(
        Text(200, min_length=1),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "Allowed values of a choice attribute; a value may hold commas."},
    )
    version = ma.fields.Integer(dump_only=True)


@blp.route("")
class AttributeCollection(MethodView):
    """The workspace's custom attributes."""

    @blp.response(200, AttributeSchema(many=True))
    def get(self):
        """List the custom attributes by category and label."""
        return workspace.list_custom_attributes(db.session)

    @blp.arguments(AttributeSchema)
    @blp.response(201, AttributeSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, values: dict):
        """Define a custom attribute (managers and admins)."""
        return workspace.define_attribute(db.session, current_actor(), **values)
