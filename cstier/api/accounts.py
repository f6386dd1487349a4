"""Accounts: list filtered by stage, region, CSM, tier or segment; read; create; patch with a version."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import ValidationError, validate, validates_schema

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, counted, id_in_path, paginate
from cstier.api.concurrency import IfMatchSchema, etag, expected_version
from cstier.api.fields import MAX_BIGINT, MAX_INT, Count, Id, Text
from cstier.domain.customer import ACCOUNT_UNITS, LIFECYCLE_STAGES
from cstier.domain.permissions import can_edit_account
from cstier.extensions import db
from cstier.models import Account
from cstier.services import account_list, accounts
from cstier.services.accounts import SORTS, AccountFilter
from cstier.services.errors import Forbidden
from cstier.services.tiering.current_arr import with_current_arr

blp = api_blueprint("accounts", "/accounts", "Customer accounts, within the caller's book.")


class AccountSchema(ma.Schema):
    """An account as the API reads and writes it."""

    id = ma.fields.Integer(dump_only=True)
    external_id = Text(100, min_length=1, required=True)
    name = Text(200, min_length=1, required=True)
    unit_type = ma.fields.String(validate=validate.OneOf(list(ACCOUNT_UNITS)))
    company_id = Id(required=True)
    company_name = ma.fields.Function(lambda a: a.company.name, dump_only=True)
    department_id = Id(allow_none=True)
    contact_id = Id(allow_none=True)
    csm_id = Id(allow_none=True, metadata={"description": "The owning CSM's user id."})
    arr_cents = Count(MAX_BIGINT, metadata={"description": "Annual recurring revenue in cents."})
    current_arr_cents = ma.fields.Integer(
        dump_only=True,
        metadata={
            "description": "Twelve times the MRR of the subscriptions running today; 0 when "
            "every subscription ended; the ARR field for an account without subscriptions."
        },
    )
    plan = Text(50, allow_none=True)
    lifecycle_stage = ma.fields.String(validate=validate.OneOf(list(LIFECYCLE_STAGES)))
    contract_start_date = ma.fields.Date(allow_none=True)
    renewal_date = ma.fields.Date(allow_none=True)
    attributes = ma.fields.Dict(dump_only=True, metadata={"description": "Custom attributes."})
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Send back to update."})
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class ListedAccountSchema(AccountSchema):
    """An account as the list shows it: with its current tiers and coverage model."""

    tiers = ma.fields.Dict(
        attribute="tiers_by_key",
        dump_only=True,
        metadata={"description": "The current tier per active scheme key (null: none yet)."},
    )
    coverage_model = ma.fields.String(dump_only=True, allow_none=True)


class AccountPatchSchema(AccountSchema):
    """The fields to change, and the version they were read at (or send If-Match)."""

    version = ma.fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "The version you read; a stale one is refused with 409."},
    )


class AccountQuerySchema(ma.Schema):
    """Filters and sort order for the account list."""

    q = Text(200, metadata={"description": "Matches name or external id."})
    stage = ma.fields.String(validate=validate.OneOf(list(LIFECYCLE_STAGES)))
    region = Text(50)
    industry = Text(100)
    plan = Text(50)
    csm_id = Id(strict=False)
    unassigned = ma.fields.Boolean(load_default=False)
    company_id = Id(strict=False)
    renewal_before = ma.fields.Date()
    tier_scheme = Id(
        strict=False,
        metadata={
            "description": "A tier scheme id; use with tier (a value, needs tier or segment)."
        },
    )
    tier = Text(60)
    sort = ma.fields.String(validate=validate.OneOf(list(SORTS)), load_default="name")
    descending = ma.fields.Boolean(load_default=False)

    @validates_schema
    def tier_needs_scheme(self, data: dict, **_kwargs) -> None:
        """A tier only means something within a scheme."""
        if bool(data.get("tier")) != bool(data.get("tier_scheme")):
            raise ValidationError("Send tier_scheme and tier together.", "tier")


def _filter(args: dict) -> AccountFilter:
    args = dict(args)
    return AccountFilter(
        lifecycle_stage=args.pop("stage", None),
        tier_scheme_id=args.pop("tier_scheme", None),
        **args,
    )


def _with_etag(account: Account) -> tuple[Account, dict]:
    with_current_arr(db.session, [account])
    return account, {"ETag": etag(account.version)}


@blp.route("")
class AccountCollection(MethodView):
    """The accounts in the caller's book."""

    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, ListedAccountSchema(many=True))
    @paginate(blp)
    def get(self, args: dict, pagination_parameters):
        """List accounts (a CSM sees only their own) with their tiers, filtered and paginated."""
        page = account_list.list_page(
            db.session,
            current_actor(),
            _filter(args),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        counted(pagination_parameters, page.total, page.more)
        with_current_arr(db.session, [row.account for row in page.items])
        return page.items

    @blp.arguments(AccountSchema)
    @blp.response(201, AccountSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, values: dict):
        """Create an account (managers and admins)."""
        account = accounts.create_account(db.session, current_actor(), values)
        account, headers = _with_etag(account)
        headers["Location"] = url_for(".AccountItem", account_id=account.id)
        return account, headers


@blp.route(f"/{id_in_path('account_id')}")
class AccountItem(MethodView):
    """One account."""

    @blp.response(200, AccountSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, account_id: int):
        """Read an account; its ETag (or version) goes with the next PATCH."""
        return _with_etag(accounts.get_account(db.session, current_actor(), account_id))

    @blp.arguments(AccountPatchSchema(partial=True))
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, AccountSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def patch(self, values: dict, headers: dict, account_id: int):
        """Change an account: managers any field, a CSM their own accounts, a viewer nothing."""
        actor = current_actor()
        account = accounts.get_account(db.session, actor, account_id)
        if not can_edit_account(actor, account.csm_id):  # 403 before asking for a version
            raise Forbidden("You can only edit accounts in your own book.")
        version = expected_version(
            headers.get("if_match"), values.pop("version", None), account.version
        )
        updated = accounts.update_account(db.session, actor, account_id, values, version)
        return _with_etag(updated)
