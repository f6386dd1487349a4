"""Companies: list with filters, read; managers create and update."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import post_load, validate

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, id_in_path, page_of, paginate
from cstier.api.concurrency import IfMatchSchema, etag, expected_version
from cstier.api.fields import MAX_BIGINT, MAX_INT, Count, Id, Text
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.models import Company
from cstier.services import companies
from cstier.services.companies import SORTS, CompanyFilter
from cstier.services.errors import Forbidden

blp = api_blueprint("companies", "/companies", "Customer companies and their hierarchy.")


class CompanySchema(ma.Schema):
    """A company as the API reads and writes it."""

    id = ma.fields.Integer(dump_only=True)
    external_id = Text(100, min_length=1, required=True)
    name = Text(200, min_length=1, required=True)
    domain = Text(200, allow_none=True)
    industry = Text(100, allow_none=True)
    region = Text(50, allow_none=True)
    country = Text(2, min_length=2, allow_none=True, metadata={"description": "ISO 3166 alpha-2"})
    employees = Count(allow_none=True)
    annual_revenue_cents = Count(MAX_BIGINT, allow_none=True)
    parent_id = Id(allow_none=True)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Send back to update."})
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)

    @post_load
    def normalise(self, data: dict, **_kwargs) -> dict:
        """Upper-case the country code as the UI does."""
        if data.get("country"):
            data["country"] = data["country"].upper()
        return data


class CompanyPatchSchema(CompanySchema):
    """The fields to change, and the version they were read at (or send If-Match)."""

    version = ma.fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "The version you read; a stale one is refused with 409."},
    )


class CompanyListItemSchema(CompanySchema):
    """A company in the list, with its account count and ARR."""

    accounts = ma.fields.Integer(dump_only=True)
    arr_cents = ma.fields.Integer(dump_only=True)


class CompanyQuerySchema(ma.Schema):
    """Filters and sort order for the company list."""

    q = Text(200, metadata={"description": "Matches name, external id or domain."})
    region = Text(50)
    industry = Text(100)
    sort = ma.fields.String(validate=validate.OneOf([*SORTS, "arr"]), load_default="name")
    descending = ma.fields.Boolean(load_default=False)


def _with_etag(company: Company) -> tuple[Company, dict]:
    return company, {"ETag": etag(company.version)}


@blp.route("")
class CompanyCollection(MethodView):
    """The companies the caller may see."""

    @blp.arguments(CompanyQuerySchema, location="query")
    @blp.response(200, CompanyListItemSchema(many=True))
    @paginate(blp)
    def get(self, args: dict, pagination_parameters):
        """List companies, filtered and paginated, with account counts and ARR."""
        stmt = companies.list_query(current_actor(), CompanyFilter(**args))
        rows = page_of(stmt, pagination_parameters)
        for company, accounts, arr_cents in rows:
            company.accounts, company.arr_cents = accounts, int(arr_cents)
        return [row[0] for row in rows]

    @blp.arguments(CompanySchema)
    @blp.response(201, CompanySchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, values: dict):
        """Create a company (managers and admins)."""
        company = companies.create_company(db.session, current_actor(), values)
        company, headers = _with_etag(company)
        headers["Location"] = url_for(".CompanyItem", company_id=company.id)
        return company, headers


@blp.route(f"/{id_in_path('company_id')}")
class CompanyItem(MethodView):
    """One company."""

    @blp.response(200, CompanySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, company_id: int):
        """Read a company; its ETag goes with the next PATCH as If-Match."""
        return _with_etag(companies.get_company(db.session, current_actor(), company_id))

    @blp.arguments(CompanyPatchSchema(partial=True))
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(200, CompanySchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    def patch(self, values: dict, headers: dict, company_id: int):
        """Update a company (managers and admins) at the version read: If-Match or `version`."""
        actor = current_actor()
        company = companies.get_company(db.session, actor, company_id)
        if not can_manage_book(actor):  # 403 before asking for a version
            raise Forbidden("Only managers and admins edit companies.")
        version = expected_version(
            headers.get("if_match"), values.pop("version", None), company.version, "company"
        )
        return _with_etag(companies.update_company(db.session, actor, company_id, values, version))
