"""Tier schemes: everyone reads; admins create schemes (or the defaults) and add versions."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import validate

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, id_in_path
from cstier.api.fields import MAX_INT, JsonObject
from cstier.domain.permissions import can_manage_settings
from cstier.extensions import db
from cstier.services.errors import Forbidden
from cstier.services.tiering import schemes

blp = api_blueprint("tier-schemes", "/tier-schemes", "Value, needs and segment tier schemes.")


class SchemeVersionSchema(ma.Schema):
    """One stored definition of a scheme."""

    version = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    created_by_id = ma.fields.Integer(allow_none=True)


class SchemeSchema(ma.Schema):
    """A tier scheme with its current definition."""

    id = ma.fields.Integer()
    key = ma.fields.String()
    name = ma.fields.String()
    dimension = ma.fields.String(metadata={"description": "value, needs or segment"})
    goal = ma.fields.String()
    kpi = ma.fields.String()
    active = ma.fields.Boolean()
    current_version = ma.fields.Integer()
    definition = ma.fields.Function(lambda s: s.current.definition)
    created_at = ma.fields.DateTime()


class SchemeDetailSchema(SchemeSchema):
    """A tier scheme with all its versions."""

    versions = ma.fields.List(ma.fields.Nested(SchemeVersionSchema))


class NewSchemeSchema(ma.Schema):
    """A scheme definition (JSON, as in the scheme editor)."""

    definition = JsonObject(required=True)


class NewVersionSchema(NewSchemeSchema):
    """A new definition and the version it was edited from."""

    base_version = ma.fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "The current_version you edited; a stale one is refused (409)."},
    )


@blp.route("")
class SchemeCollection(MethodView):
    """The active schemes."""

    @blp.response(200, SchemeSchema(many=True))
    def get(self):
        """List the active schemes: value, needs, then segments (empty until the defaults exist)."""
        return schemes.active_schemes(db.session)

    @blp.arguments(NewSchemeSchema)
    @blp.response(201, SchemeDetailSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, body: dict):
        """Create a scheme from a valid definition (admins); 422 with the reason otherwise."""
        scheme = schemes.create_scheme(db.session, current_actor(), body["definition"])
        return scheme, {"Location": url_for(".SchemeItem", scheme_id=scheme.id)}


@blp.route("/defaults")
class DefaultSchemes(MethodView):
    """The default value, needs and segment schemes."""

    @blp.response(201, SchemeSchema(many=True))
    @blp.alt_response(200, schema=SchemeSchema(many=True), description="The schemes existed.")
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self):
        """Create the default schemes in a workspace without any (admins); 200 if it has some."""
        created = schemes.seed_default_schemes(db.session, current_actor())
        return schemes.active_schemes(db.session), 201 if created else 200


@blp.route(f"/{id_in_path('scheme_id')}")
class SchemeItem(MethodView):
    """One scheme."""

    @blp.response(200, SchemeDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, scheme_id: int):
        """Read a scheme with its current definition and version list."""
        return schemes.get_scheme(db.session, scheme_id)


@blp.route(f"/{id_in_path('scheme_id')}/versions")
class SchemeVersions(MethodView):
    """The scheme's versions."""

    @blp.arguments(NewVersionSchema)
    @blp.response(201, SchemeDetailSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, body: dict, scheme_id: int):
        """Store a new definition as the next version (admins); the next run applies it."""
        actor = current_actor()
        if not can_manage_settings(actor):  # 403 before revealing versions
            raise Forbidden("Only admins edit tier schemes.")
        schemes.save_version(db.session, actor, scheme_id, body["definition"], body["base_version"])
        return schemes.get_scheme(db.session, scheme_id), {
            "Location": url_for(".SchemeItem", scheme_id=scheme_id)
        }
