"""Coverage models and the value × needs matrix: everyone reads, managers and admins write."""

import marshmallow as ma
from flask.views import MethodView
from marshmallow import ValidationError, validate, validates, validates_schema

from cstier.api.auth import current_actor
from cstier.api.base import id_in_path
from cstier.api.concurrency import IfMatchSchema, etag, expected_version
from cstier.api.coverage import blp, version_field
from cstier.api.fields import MAX_BIGINT, MAX_INT, Id, Text
from cstier.domain.coverage import MOTIONS
from cstier.domain.coverage.defaults import NEEDS_TIERS, VALUE_TIERS
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.models import CoverageModel
from cstier.services.coverage import settings
from cstier.services.coverage.seed import seed_default_coverage
from cstier.services.errors import Forbidden

MAX_CELLS = 400


class CoverageModelSchema(ma.Schema):
    """A coverage model: its motion, target ratio, ARR per CSM, hard limit and cadence."""

    id = ma.fields.Integer(dump_only=True)
    key = ma.fields.String(dump_only=True)
    name = Text(120, min_length=1)
    motion = ma.fields.String(validate=validate.OneOf(list(MOTIONS)))
    accounts_per_csm = ma.fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "Target accounts per full-time CSM."},
    )
    arr_per_csm_cents = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_BIGINT),
        metadata={"description": "Target ARR per full-time CSM in cents; null for none."},
    )
    hard_limit_pct = ma.fields.Integer(
        strict=True,
        validate=validate.Range(min=100, max=400),
        metadata={"description": "Load (% of target) past which assignments are refused."},
    )
    cadence = Text(200)
    sort_order = ma.fields.Integer(dump_only=True)
    version = version_field()


class CoverageCellSchema(ma.Schema):
    """One cell: a value tier and a needs tier, served by a coverage model."""

    value_tier = Text(60, min_length=1, required=True)
    needs_tier = Text(60, min_length=1, required=True)
    coverage_model_id = Id(required=True)
    coverage_model_key = ma.fields.String(dump_only=True)

    @validates("value_tier")
    def _value_not_blank(self, value: str, **_kwargs) -> None:
        if not value.strip():
            raise ValidationError("Name the value tier.")

    @validates("needs_tier")
    def _needs_not_blank(self, value: str, **_kwargs) -> None:
        if not value.strip():
            raise ValidationError("Name the needs tier.")


class CoverageMatrixSchema(ma.Schema):
    """The value × needs matrix, with the tiers to lay it out by."""

    value_tiers = ma.fields.List(ma.fields.String(), dump_only=True)
    needs_tiers = ma.fields.List(ma.fields.String(), dump_only=True)
    cells = ma.fields.List(
        ma.fields.Nested(CoverageCellSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_CELLS),
        metadata={"description": "On PUT: the cells to set; cells left out keep their model."},
    )
    changed = ma.fields.Integer(dump_only=True, metadata={"description": "Cells a PUT changed."})
    version = version_field(minimum=0)

    @validates_schema
    def _one_entry_per_cell(self, data: dict, **_kwargs) -> None:
        pairs = [(c["value_tier"].strip(), c["needs_tier"].strip()) for c in data["cells"]]
        if len(set(pairs)) != len(pairs):
            raise ValidationError("Send each value tier × needs tier pair once.", "cells")


def _model_with_etag(model: CoverageModel) -> tuple[CoverageModel, dict]:
    return model, {"ETag": etag(model.version)}


def _get_model(model_id: int) -> CoverageModel:
    return settings.get_model(db.session, model_id)


def _matrix() -> tuple[dict, dict]:
    """Return the matrix body and its ETag header."""
    cells = settings.matrix(db.session)
    version = settings.matrix_version(db.session)
    keys = {m.id: m.key for m in settings.list_models(db.session)}
    value_tiers = list(VALUE_TIERS) + sorted({v for v, _ in cells} - set(VALUE_TIERS))
    needs_tiers = list(NEEDS_TIERS) + sorted({n for _, n in cells} - set(NEEDS_TIERS))
    body = {
        "value_tiers": value_tiers,
        "needs_tiers": needs_tiers,
        "cells": [
            {
                "value_tier": v,
                "needs_tier": n,
                "coverage_model_id": m,
                "coverage_model_key": keys[m],
            }
            for (v, n), m in sorted(
                cells.items(),
                key=lambda c: (value_tiers.index(c[0][0]), needs_tiers.index(c[0][1])),
            )
        ],
        "version": version,
    }
    return body, {"ETag": etag(version)}


@blp.route("/models")
class CoverageModelCollection(MethodView):
    """The coverage models."""

    @blp.response(200, CoverageModelSchema(many=True))
    def get(self):
        """List the coverage models with their ratios (empty until the defaults exist)."""
        return settings.list_models(db.session)


@blp.route("/models/defaults")
class DefaultCoverageModels(MethodView):
    """The default coverage models and matrix."""

    @blp.response(201, CoverageModelSchema(many=True))
    @blp.alt_response(200, schema=CoverageModelSchema(many=True), description="Models existed.")
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self):
        """Create the default models and matrix if there are none (managers); 200 if some exist."""
        created = seed_default_coverage(db.session, current_actor())
        return settings.list_models(db.session), 201 if created else 200


@blp.route(f"/models/{id_in_path('model_id')}")
class CoverageModelItem(MethodView):
    """One coverage model."""

    @blp.response(200, CoverageModelSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, model_id: int):
        """Read a coverage model; its ETag goes with the next PATCH as If-Match."""
        return _model_with_etag(_get_model(model_id))

    @blp.arguments(CoverageModelSchema(partial=True))
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, CoverageModelSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def patch(self, values: dict, headers: dict, model_id: int):
        """Change a model's name, motion, ratio, ARR target, hard limit or cadence (managers)."""
        actor = current_actor()
        model = _get_model(model_id)
        if not can_manage_book(actor):  # 403 before asking for an ETag
            raise Forbidden("Only managers and admins edit coverage models.")
        version = expected_version(
            headers.get("if_match"), values.pop("version", None), model.version
        )
        merged = {name: getattr(model, name) for name in settings.MODEL_FIELDS} | values
        updated = settings.update_model(db.session, actor, model_id, merged, version)
        return _model_with_etag(updated)


@blp.route("/matrix")
class CoverageMatrix(MethodView):
    """The value tier × needs tier → coverage model matrix."""

    @blp.response(200, CoverageMatrixSchema)
    def get(self):
        """Return the matrix cells and the tiers to lay them out by; its ETag goes with PUT."""
        return _matrix()

    @blp.arguments(CoverageMatrixSchema)
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, CoverageMatrixSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def put(self, values: dict, headers: dict):
        """Set the model of the cells sent (managers); derive coverage to apply it to accounts."""
        actor = current_actor()
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit the coverage matrix.")
        version = expected_version(
            headers.get("if_match"),
            values.pop("version", None),
            settings.matrix_version(db.session),
        )
        cells = {
            (c["value_tier"].strip(), c["needs_tier"].strip()): c["coverage_model_id"]
            for c in values["cells"]
        }
        changed = settings.save_matrix(db.session, actor, cells, version)
        body, etag_header = _matrix()
        return {**body, "changed": changed}, etag_header
