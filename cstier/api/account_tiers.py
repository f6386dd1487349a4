"""An account's current tiers with their explanations, and its tier history."""

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Page

from cstier.api.auth import current_actor
from cstier.api.base import MAX_PAGE_SIZE, PAGE_SIZE, api_blueprint, id_in_path
from cstier.extensions import db
from cstier.services import accounts
from cstier.services.tiering import history

blp = api_blueprint(
    "account-tiers", "/accounts", "An account's tiers, why it holds them, and history."
)


class CurrentTierSchema(ma.Schema):
    """An account's tier in one scheme and why it holds it."""

    scheme_id = ma.fields.Integer()
    scheme_key = ma.fields.Function(lambda t: t.scheme.key)
    scheme_name = ma.fields.Function(lambda t: t.scheme.name)
    dimension = ma.fields.Function(lambda t: t.scheme.dimension)
    tier = ma.fields.String()
    explanation = ma.fields.String()
    source = ma.fields.String(metadata={"description": "rule, override or import"})
    scheme_version = ma.fields.Integer()
    run_id = ma.fields.Integer(allow_none=True)
    pending_tier = ma.fields.String(allow_none=True)
    pending_count = ma.fields.Integer()
    updated_at = ma.fields.DateTime()


class TierChangeSchema(ma.Schema):
    """One move of an account from one tier to another."""

    id = ma.fields.Integer()
    scheme_id = ma.fields.Integer()
    scheme_key = ma.fields.Function(lambda c: c.scheme.key)
    dimension = ma.fields.String()
    from_tier = ma.fields.String(allow_none=True)
    to_tier = ma.fields.String()
    at = ma.fields.DateTime()
    run_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(metadata={"description": "rule, override or import"})
    scheme_version = ma.fields.Integer(allow_none=True)
    explanation = ma.fields.String()
    cause = ma.fields.String(
        metadata={"description": "scheme changed (version n → n+1) and/or which data changed"}
    )


@blp.route(f"/{id_in_path('account_id')}/tiers")
class AccountTiers(MethodView):
    """The account's current tiers."""

    @blp.response(200, CurrentTierSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, account_id: int):
        """List the account's current tier in every scheme, with the explanation."""
        account = accounts.get_account(db.session, current_actor(), account_id)
        return history.current_for_account(db.session, account.id)


@blp.route(f"/{id_in_path('account_id')}/tier-history")
class AccountTierHistory(MethodView):
    """The account's tier changes."""

    @blp.response(200, TierChangeSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(Page, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, account_id: int):
        """List every tier change of the account, newest first."""
        account = accounts.get_account(db.session, current_actor(), account_id)
        return history.timeline(db.session, account.id)
