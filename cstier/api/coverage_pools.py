"""Pools: teams of CSMs sharing one book for one coverage model; managers and admins write."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import validate

from cstier.api.auth import current_actor
from cstier.api.base import id_in_path
from cstier.api.concurrency import IfMatchSchema, etag, expected_version
from cstier.api.coverage import blp, version_field
from cstier.api.fields import Id, Text
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.models import Pool
from cstier.services.coverage import profiles, settings
from cstier.services.errors import Forbidden

MAX_MEMBERS = 500


class PoolSchema(ma.Schema):
    """A pool: CSMs sharing one book for one coverage model, and how many accounts it covers."""

    id = ma.fields.Integer(dump_only=True)
    name = Text(120, min_length=1, required=True)
    coverage_model_id = Id(required=True, metadata={"description": "The model the pool serves."})
    coverage_model_key = ma.fields.String(dump_only=True)
    member_ids = ma.fields.List(
        Id(),
        validate=validate.Length(max=MAX_MEMBERS),
        metadata={"description": "User ids of the CSMs in the pool; every one must be a CSM."},
    )
    accounts = ma.fields.Integer(
        dump_only=True,
        metadata={
            "description": "Accounts covered by the pool; a pool with any cannot be deleted."
        },
    )
    version = version_field()


def _pool_values(pool: Pool) -> dict:
    """Return what a pool holds that a client can change."""
    return {
        "name": pool.name,
        "coverage_model_id": pool.coverage_model_id,
        "member_ids": sorted(int(m) for m in pool.member_ids or []),
    }


def _rows(pools: list[Pool]) -> list[dict]:
    """Return one row per pool: what it holds, its model's key and its account count."""
    keys = {model.id: model.key for model in settings.list_models(db.session)}
    counts = profiles.pool_account_counts(db.session)
    return [
        {
            "id": pool.id,
            **_pool_values(pool),
            "coverage_model_key": keys.get(pool.coverage_model_id),
            "accounts": counts.get(pool.id, 0),
            "version": pool.version,
        }
        for pool in pools
    ]


def _one(pool: Pool) -> tuple[dict, dict]:
    return _rows([pool])[0], {"ETag": etag(pool.version)}


@blp.route("/pools")
class PoolCollection(MethodView):
    """The pools."""

    @blp.response(200, PoolSchema(many=True))
    def get(self):
        """List every pool by name with its coverage model, members and account count."""
        return _rows(profiles.list_pools(db.session))

    @blp.arguments(PoolSchema)
    @blp.response(201, PoolSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, values: dict):
        """Create a pool (managers and admins); members must be CSMs, the name unused."""
        values.pop("version", None)  # a new pool starts at version 1
        pool = profiles.save_pool(db.session, current_actor(), None, values, None)
        body, headers = _one(pool)
        headers["Location"] = url_for(".PoolItem", pool_id=pool.id)
        return body, headers


@blp.route(f"/pools/{id_in_path('pool_id')}")
class PoolItem(MethodView):
    """One pool."""

    @blp.response(200, PoolSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, pool_id: int):
        """Read a pool; its ETag goes with the next PATCH or DELETE as If-Match."""
        return _one(profiles.get_pool(db.session, pool_id))

    @blp.arguments(PoolSchema(partial=True))
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, PoolSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def patch(self, values: dict, headers: dict, pool_id: int):
        """Change a pool's name, coverage model or members (managers)."""
        actor = current_actor()
        pool = profiles.get_pool(db.session, pool_id)
        if not can_manage_book(actor):  # 403 before asking for an ETag
            raise Forbidden("Only managers and admins edit pools.")
        version = expected_version(
            headers.get("if_match"), values.pop("version", None), pool.version
        )
        merged = _pool_values(pool) | values
        return _one(profiles.save_pool(db.session, actor, pool_id, merged, version))

    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def delete(self, headers: dict, pool_id: int):
        """Delete a pool no account is covered by (managers); one with accounts is 422."""
        actor = current_actor()
        pool = profiles.get_pool(db.session, pool_id)
        if not can_manage_book(actor):  # 403 before asking for an ETag
            raise Forbidden("Only managers and admins delete pools.")
        version = expected_version(headers.get("if_match"), None, pool.version)
        profiles.delete_pool(db.session, actor, pool_id, version)
