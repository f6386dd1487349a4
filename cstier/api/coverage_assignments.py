"""Assignments (managers write), an account's coverage and history, and handoffs."""

import marshmallow as ma
from flask.views import MethodView
from marshmallow import ValidationError, validate, validates_schema

from cstier.api.auth import current_actor
from cstier.api.base import id_in_path
from cstier.api.concurrency import IfMatchSchema, etag, expected_version
from cstier.api.coverage import blp, version_field
from cstier.api.fields import MAX_INT, Id, Text
from cstier.extensions import db
from cstier.services.coverage import book, handoffs
from cstier.services.coverage.assign import Assignment, AssignmentRefused, assign_accounts
from cstier.services.errors import Forbidden, ValidationFailed

MAX_BATCH = 1000
VERSION = validate.Range(min=1, max=MAX_INT)


class AssignmentSchema(ma.Schema):
    """Accounts to give to a CSM and/or pool, why, and the versions they were read at."""

    account_ids = ma.fields.List(
        Id(), required=True, validate=validate.Length(min=1, max=MAX_BATCH)
    )
    csm_id = Id(allow_none=True, metadata={"description": "The new owner; null for pool only."})
    pool_id = Id(allow_none=True)
    reason = Text(500, required=True, metadata={"description": "Shown in history and handoff."})
    override_reason = Text(
        500,
        allow_none=True,
        metadata={"description": "A manager's reason to pass refusals that allow an override."},
    )
    handoff_due = ma.fields.Date(allow_none=True, metadata={"description": "Default: 14 days."})
    handoff_notes = Text(2000, load_default="")
    expected_versions = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,9}$")),
        values=ma.fields.Integer(strict=True, validate=VERSION),
        metadata={
            "description": "Account id → the version you read; if any changed since, "
            "nothing is assigned and the answer is 409."
        },
    )

    @validates_schema
    def _check(self, data: dict, **_kwargs) -> None:
        if not (data.get("reason") or "").strip():
            raise ValidationError("Give a reason: the history and the handoff show it.", "reason")
        if data.get("csm_id") is None and data.get("pool_id") is None:
            raise ValidationError("Choose a CSM or a pool to assign to.", "csm_id")
        versions = data.get("expected_versions") or {}
        if any(int(key) > MAX_INT for key in versions):
            raise ValidationError("Account ids are at most 2147483647.", "expected_versions")
        strays = sorted(set(map(int, versions)) - set(data.get("account_ids") or []))
        if strays:
            raise ValidationError(
                f"Not in account_ids: {', '.join(map(str, strays))}.", "expected_versions"
            )


class AssignmentResultSchema(ma.Schema):
    """What an assignment did."""

    changed = ma.fields.Integer(metadata={"description": "Accounts that moved."})
    unchanged = ma.fields.Integer(metadata={"description": "Accounts already there."})
    handoffs = ma.fields.Integer(metadata={"description": "Handoffs opened."})


class HandoffSchema(ma.Schema):
    """A change of owner both CSMs see until it is marked done."""

    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    account_name = ma.fields.String(allow_none=True)
    from_csm_id = ma.fields.Integer(allow_none=True)
    from_csm_name = ma.fields.Function(lambda h: h.from_csm.name if h.from_csm else None)
    to_csm_id = ma.fields.Integer(allow_none=True)
    to_csm_name = ma.fields.Function(lambda h: h.to_csm.name if h.to_csm else None)
    due_date = ma.fields.Date(allow_none=True)
    notes = ma.fields.String()
    done_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer(metadata={"description": "Send back (or If-Match) to complete."})


class HandoffCompleteSchema(ma.Schema):
    """The version of the handoff you read (or send If-Match with its ETag)."""

    version = version_field()


class HandoffQuerySchema(ma.Schema):
    """Which handoffs to list."""

    all = ma.fields.Boolean(load_default=False, metadata={"description": "Include done ones."})


class AssignmentChangeSchema(ma.Schema):
    """One change of an account's owner or pool."""

    id = ma.fields.Integer()
    from_csm_id = ma.fields.Integer(allow_none=True)
    to_csm_id = ma.fields.Integer(allow_none=True)
    from_pool_id = ma.fields.Integer(allow_none=True)
    to_pool_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String()
    overridden = ma.fields.Boolean()
    by_user_id = ma.fields.Integer(allow_none=True)
    at = ma.fields.DateTime()


class AccountCoverageSchema(ma.Schema):
    """An account's coverage model, pool, owner, assignment history and open handoffs."""

    account_id = ma.fields.Function(lambda v: v.account.id)
    csm_id = ma.fields.Function(lambda v: v.account.csm_id)
    version = ma.fields.Function(lambda v: v.account.version)
    coverage_model_id = ma.fields.Function(lambda v: v.coverage and v.coverage.coverage_model_id)
    pool_id = ma.fields.Function(lambda v: v.coverage and v.coverage.pool_id)
    needs_reassignment = ma.fields.Function(
        lambda v: bool(v.coverage and v.coverage.needs_reassignment)
    )
    suggested_owner_id = ma.fields.Function(lambda v: v.suggested_owner and v.suggested_owner.id)
    history = ma.fields.List(ma.fields.Nested(AssignmentChangeSchema))
    handoffs = ma.fields.List(ma.fields.Nested(HandoffSchema))


def refused(exc: AssignmentRefused) -> ValidationFailed:
    """Return the refusal as field errors: which input is at fault, why, and the refusal codes."""
    errors: dict[str, list[str]] = {}
    for refusal in exc.refusals:
        field = "pool_id" if refusal.code == "pool_model" else "csm_id"
        errors.setdefault(field, []).append(refusal.message)
    if exc.overridable:
        errors["override_reason"] = ["A manager override with a reason can pass this."]
    errors["refusals"] = [r.code for r in exc.refusals]
    if exc.account_ids:
        errors["account_ids"] = [str(a) for a in exc.account_ids]
    return ValidationFailed(str(exc), errors)


def _with_account_names(items: list) -> list:
    names = handoffs.account_names(db.session, items)
    for handoff in items:
        handoff.account_name = names.get(handoff.account_id)
    return items


@blp.route("/assignments")
class Assignments(MethodView):
    """Assign accounts."""

    @blp.arguments(AssignmentSchema)
    @blp.response(200, AssignmentResultSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict):
        """Give accounts to a CSM and/or pool with a reason, all or nothing (managers)."""
        versions = {int(k): v for k, v in (values.pop("expected_versions", None) or {}).items()}
        account_ids = values.pop("account_ids")
        try:
            return assign_accounts(
                db.session, current_actor(), account_ids, Assignment(**values), versions
            )
        except AssignmentRefused as exc:
            raise refused(exc) from exc


@blp.route(f"/accounts/{id_in_path('account_id')}")
class AccountCoverageItem(MethodView):
    """One account's coverage."""

    @blp.response(200, AccountCoverageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, account_id: int):
        """Return an account's model, pool, owner, assignment history and open handoffs."""
        view = book.account_coverage(db.session, current_actor(), account_id)
        view.handoffs = _with_account_names(view.handoffs)
        return view


@blp.route("/handoffs")
class Handoffs(MethodView):
    """Handoffs."""

    @blp.arguments(HandoffQuerySchema, location="query")
    @blp.response(200, HandoffSchema(many=True))
    def get(self, args: dict):
        """List open handoffs, due first: a CSM sees those they give or receive, others all."""
        items = handoffs.list_handoffs(db.session, current_actor(), open_only=not args["all"])
        return _with_account_names(items)


@blp.route(f"/handoffs/{id_in_path('handoff_id')}/complete")
class HandoffComplete(MethodView):
    """Finish a handoff."""

    @blp.arguments(HandoffCompleteSchema)
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, HandoffSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def post(self, body: dict, headers: dict, handoff_id: int):
        """Mark a handoff done: either CSM in it, or a manager; send the version you read."""
        actor = current_actor()
        handoff = handoffs.get_handoff(db.session, handoff_id)
        if not handoffs.can_complete(actor, handoff):  # 403 before asking for a version
            raise Forbidden("Only the CSMs in a handoff, or a manager, can mark it done.")
        version = expected_version(headers.get("if_match"), body.get("version"), handoff.version)
        handoff = handoffs.complete_handoff(db.session, actor, handoff_id, version)
        return _with_account_names([handoff])[0], {"ETag": etag(handoff.version)}
