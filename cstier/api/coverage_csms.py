"""CSMs: profile (FTE, fit, models served), pools and current load; managers edit profiles."""

from decimal import Decimal

import marshmallow as ma
from flask.views import MethodView
from marshmallow import ValidationError, validate

from cstier.api.auth import current_actor
from cstier.api.base import id_in_path
from cstier.api.concurrency import IfMatchSchema, etag, expected_version
from cstier.api.coverage import blp, version_field
from cstier.api.fields import Text
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.models import CsmProfile, User
from cstier.services.coverage import profiles
from cstier.services.coverage.capacity import capacity_report
from cstier.services.errors import Forbidden

MAX_LIST = 50
NO_LOAD = {"accounts": 0, "arr_cents": 0, "load_pct": 0.0, "arr_load_pct": None, "load": 0.0}


class CsmLoadSchema(ma.Schema):
    """A CSM's book against target, as on the capacity page."""

    accounts = ma.fields.Integer()
    arr_cents = ma.fields.Integer()
    load_pct = ma.fields.Float(metadata={"description": "% of target by account count."})
    arr_load_pct = ma.fields.Float(allow_none=True, metadata={"description": "% by ARR."})
    load = ma.fields.Float(metadata={"description": "The binding one of the two."})
    status = ma.fields.String(metadata={"description": "under, on_target or over"})


def _fte_range(fte: Decimal) -> None:
    # A plain function, not validate.Range: apispec would print a Decimal bound as a string.
    if not Decimal(0) < fte <= Decimal(2):
        raise ValidationError("FTE is above 0 and at most 2, e.g. 0.5 for half time.")


def _names(max_length: int, description: str) -> ma.fields.List:
    return ma.fields.List(
        Text(max_length, min_length=1),
        validate=validate.Length(max=MAX_LIST),
        metadata={"description": description},
    )


class CsmSchema(ma.Schema):
    """A CSM with their profile, the pools they work in and their current load."""

    class Meta:
        # The OpenAPI description of the schema (apispec reads Meta, not the docstring).
        description = (
            "A CSM with their profile, the pools they work in and their current load. "
            "Pool membership (pool_ids) is read-only here: change it on /coverage/pools."
        )

    user_id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    active = ma.fields.Boolean(dump_only=True, metadata={"description": "Changed on Users."})
    has_profile = ma.fields.Boolean(dump_only=True)
    fte = ma.fields.Decimal(
        places=2,
        validate=_fte_range,
        metadata={
            "description": "Capacity as full-time equivalents, e.g. 0.5 for half time.",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": 2,
        },
    )
    regions = _names(50, "Regions served; empty means any.")
    verticals = _names(100, "Verticals served; empty means any.")
    languages = _names(50, "Languages spoken.")
    coverage_model_keys = _names(40, "Keys of the coverage models served.")
    pool_ids = ma.fields.List(
        ma.fields.Integer(),
        dump_only=True,
        metadata={"description": "Pools the CSM is a member of; change them on /coverage/pools."},
    )
    load = ma.fields.Nested(CsmLoadSchema, dump_only=True)
    version = version_field(minimum=0)  # 0: no profile saved yet

    @ma.post_dump
    def _fte_as_number(self, data: dict, **_kwargs) -> dict:
        if isinstance(data.get("fte"), Decimal):
            data["fte"] = float(data["fte"])
        return data


def _profile_values(profile: CsmProfile | None) -> dict:
    """Return what a profile holds, with the defaults a CSM without one is counted at."""
    if profile is None:
        return {
            "fte": Decimal("1.00"),
            "regions": [],
            "verticals": [],
            "languages": [],
            "coverage_model_keys": [],
        }
    return {name: getattr(profile, name) for name in profiles.PROFILE_FIELDS}


def _rows(pairs: list[tuple[User, CsmProfile | None]]) -> list[dict]:
    """Return one row per CSM: profile values, pools and load."""
    loads = {row["csm_id"]: row for row in capacity_report(db.session).csms}
    pools: dict[int, list[int]] = {}
    for pool in profiles.list_pools(db.session):
        for member in pool.member_ids or []:
            pools.setdefault(int(member), []).append(pool.id)
    return [
        {
            "user_id": user.id,
            "name": user.name,
            "active": bool(user.active),
            "has_profile": profile is not None,
            **_profile_values(profile),
            "pool_ids": sorted(pools.get(user.id, [])),
            "load": loads.get(user.id) or {**NO_LOAD, "status": "under"},
            "version": profiles.profile_version(profile),
        }
        for user, profile in pairs
    ]


def _one(user_id: int) -> tuple[dict, dict]:
    user, profile = profiles.get_profile(db.session, user_id)
    return _rows([(user, profile)])[0], {"ETag": etag(profiles.profile_version(profile))}


@blp.route("/csms")
class CsmCollection(MethodView):
    """The CSMs."""

    @blp.response(200, CsmSchema(many=True))
    def get(self):
        """List every CSM (active first) with FTE, fit, models served, pools and current load."""
        return _rows(profiles.list_profiles(db.session))


@blp.route(f"/csms/{id_in_path('user_id')}")
class CsmItem(MethodView):
    """One CSM."""

    @blp.response(200, CsmSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int):
        """Read a CSM's profile and load; its ETag goes with the next PATCH as If-Match."""
        return _one(user_id)

    @blp.arguments(CsmSchema(partial=True))
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, CsmSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def patch(self, values: dict, headers: dict, user_id: int):
        """Change a CSM's FTE, regions, verticals, languages or models served (managers)."""
        actor = current_actor()
        _, profile = profiles.get_profile(db.session, user_id)
        if not can_manage_book(actor):  # 403 before asking for an ETag
            raise Forbidden("Only managers and admins edit CSM profiles.")
        version = expected_version(
            headers.get("if_match"), values.pop("version", None), profiles.profile_version(profile)
        )
        merged = _profile_values(profile) | values
        profiles.save_profile(db.session, actor, user_id, merged, version)
        return _one(user_id)
