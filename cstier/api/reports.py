"""Reports (the weekly tier review) and tier-change alerts."""

from datetime import date

import marshmallow as ma
from flask.views import MethodView
from marshmallow import ValidationError

from cstier.api.auth import current_actor
from cstier.api.base import api_blueprint, paginate
from cstier.api.fields import Id
from cstier.domain.reports import InvalidDate, parse_since, parse_week
from cstier.extensions import db
from cstier.services import alerts, reports, weekly_report

blp = api_blueprint(
    "reports",
    "/reports",
    "The weekly tier review, the stored weekly reports and tier-change alerts.",
)


class IsoWeek(ma.fields.String):
    """An ISO week written YYYY-Www, loaded as its Monday."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_week(text)
        except InvalidDate as exc:
            raise ValidationError(str(exc)) from exc


class Since(ma.fields.String):
    """A date (YYYY-MM-DD, from its midnight UTC) or an ISO 8601 date-time."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_since(text)
        except InvalidDate as exc:
            raise ValidationError(str(exc)) from exc


class TierReviewQuerySchema(ma.Schema):
    """Which week to review."""

    week = IsoWeek(
        metadata={
            "description": "An ISO week, e.g. 2026-W02 (Monday 00:00 UTC to the next Monday). "
            "Default: the last full week.",
            "example": "2026-W02",
        }
    )


class TierMoveCellSchema(ma.Schema):
    """How many accounts (and how much ARR) moved from one tier to another."""

    from_tier = ma.fields.String(metadata={"description": '"(none)" for a first tiering'})
    to_tier = ma.fields.String()
    accounts = ma.fields.Integer()
    arr_cents = ma.fields.Integer()


class TierMoverSchema(ma.Schema):
    """One account's net move in one scheme over the week."""

    account_id = ma.fields.Integer()
    account_name = ma.fields.String(allow_none=True)
    scheme_id = ma.fields.Integer()
    scheme_name = ma.fields.String()
    from_tier = ma.fields.String(allow_none=True)
    to_tier = ma.fields.String()
    direction = ma.fields.String(metadata={"description": "up, down or moved (segments)"})
    arr_cents = ma.fields.Integer(metadata={"description": "The account's current ARR."})


class SchemeMovementSchema(ma.Schema):
    """One scheme's week: accounts per direction, ARR moved, the from→to matrix."""

    scheme_id = ma.fields.Integer()
    name = ma.fields.String()
    dimension = ma.fields.String()
    ranked = ma.fields.Boolean(metadata={"description": "False for segments: no up or down."})
    tiers = ma.fields.List(ma.fields.String(), metadata={"description": "Top tier first."})
    changes = ma.fields.Integer(metadata={"description": "Tier-change rows in the week."})
    accounts_changed = ma.fields.Integer()
    up = ma.fields.Integer()
    down = ma.fields.Integer()
    new = ma.fields.Integer(metadata={"description": "First tierings."})
    moved = ma.fields.Integer(metadata={"description": "Moves with no rank (segments)."})
    returned = ma.fields.Integer(metadata={"description": "Moved and came back in the week."})
    arr_up_cents = ma.fields.Integer()
    arr_down_cents = ma.fields.Integer()
    matrix = ma.fields.List(ma.fields.Nested(TierMoveCellSchema))
    top_movers = ma.fields.List(ma.fields.Nested(TierMoverSchema))


class ExpiringOverrideSchema(ma.Schema):
    """A tier override that ends within seven days of the week's end."""

    override_id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    account_name = ma.fields.String()
    scheme_id = ma.fields.Integer()
    scheme_name = ma.fields.String()
    tier = ma.fields.String()
    expires_at = ma.fields.DateTime()
    reason = ma.fields.String()


class NeedsReassignmentSchema(ma.Schema):
    """An account whose coverage model calls for a new owner."""

    account_id = ma.fields.Integer()
    account_name = ma.fields.String()
    arr_cents = ma.fields.Integer()
    csm_id = ma.fields.Integer(allow_none=True)
    csm_name = ma.fields.String(allow_none=True)
    coverage_model = ma.fields.String(allow_none=True)


def _review(name: str, field_class=ma.fields.Integer, **kwargs) -> ma.fields.Field:
    return field_class(attribute=f"review.{name}", **kwargs)


class TierReviewSchema(ma.Schema):
    """The tier review of one week, within the caller's book."""

    week = ma.fields.String(metadata={"example": "2026-W02"})
    week_start = ma.fields.Date()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime(metadata={"description": "Exclusive: the next Monday."})
    generated_at = ma.fields.DateTime()
    previous_week = ma.fields.String(allow_none=True)
    next_week = ma.fields.String(allow_none=True)
    weekly_report_built_at = ma.fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When the moves come from the week's stored weekly report (a closed "
            "week, whole book): when it was built; null when they were computed now."
        },
    )
    moves_stored_at = ma.fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When the moves are those the last tiering run stored for the whole "
            "book (with the accounts whose tier changed since brought up to date): when it "
            "stored them; null otherwise."
        },
    )
    moves_changed_since = ma.fields.Integer(
        metadata={
            "description": "How many accounts' tiers changed since the stored moves and were "
            "brought up to date (0 when the moves are computed now)."
        },
    )
    lines = ma.fields.List(ma.fields.String(), metadata={"description": "The summary in words."})
    changes = _review("changes")
    accounts = _review("accounts", metadata={"description": "Accounts with any change."})
    up = _review("up")
    down = _review("down")
    new = _review("new")
    moved = _review("moved")
    arr_up_cents = _review("arr_up_cents")
    arr_down_cents = _review("arr_down_cents")
    schemes = _review(
        "schemes", ma.fields.List, cls_or_instance=ma.fields.Nested(SchemeMovementSchema)
    )
    top_movers = _review(
        "top_movers", ma.fields.List, cls_or_instance=ma.fields.Nested(TierMoverSchema)
    )
    expiring_overrides = ma.fields.List(ma.fields.Nested(ExpiringOverrideSchema))
    expiring_overrides_total = ma.fields.Integer()
    needs_reassignment = ma.fields.List(ma.fields.Nested(NeedsReassignmentSchema))
    needs_reassignment_total = ma.fields.Integer()


class TierAlertQuerySchema(ma.Schema):
    """Which alerts to list."""

    since = Since(
        metadata={
            "description": "Only alerts at or after this date (YYYY-MM-DD, UTC) or date-time.",
            "example": "2026-01-05",
        }
    )
    scheme_id = Id(strict=False, metadata={"description": "Only alerts in this tier scheme."})


class TierAlertSchema(ma.Schema):
    """An account moved from one tier to another (a first tiering is not an alert)."""

    id = ma.fields.Integer(metadata={"description": "The tier change's id."})
    account_id = ma.fields.Integer()
    account_name = ma.fields.String()
    csm_id = ma.fields.Integer(allow_none=True)
    scheme_id = ma.fields.Integer()
    scheme_key = ma.fields.String()
    scheme_name = ma.fields.String()
    dimension = ma.fields.String()
    from_tier = ma.fields.String()
    to_tier = ma.fields.String()
    direction = ma.fields.String(metadata={"description": "up, down or moved (segments)"})
    at = ma.fields.DateTime()
    reason = ma.fields.String(metadata={"description": "rule, override or import"})
    run_id = ma.fields.Integer(allow_none=True)
    explanation = ma.fields.String()


@blp.route("/tier-review")
class TierReview(MethodView):
    """The weekly tier review."""

    @blp.arguments(TierReviewQuerySchema, location="query")
    @blp.response(200, TierReviewSchema)
    def get(self, args: dict):
        """Review one week of tier changes in the caller's book.

        Per scheme: accounts moved up, down or newly tiered, ARR moved, the from→to matrix and
        the top movers; plus overrides about to expire and accounts needing a new owner. A CSM
        sees only their own book. A week that is not YYYY-Www is refused with 422.
        """
        return reports.tier_review(db.session, current_actor(), args.get("week"))


class WeeklyReportSummarySchema(ma.Schema):
    """A stored weekly report, without its content."""

    week = ma.fields.String(metadata={"example": "2026-W02"})
    timezone = ma.fields.String(metadata={"description": "The workspace timezone it was built in."})
    starts_at = ma.fields.DateTime(metadata={"description": "Local Monday 00:00, in UTC."})
    ends_at = ma.fields.DateTime(metadata={"description": "Exclusive: the next local Monday."})
    built_at = ma.fields.DateTime()
    schema_version = ma.fields.Integer()
    accounts_up = ma.fields.Integer()
    accounts_down = ma.fields.Integer()
    needs_owner = ma.fields.Integer()
    at_risk = ma.fields.Integer()
    hidden_gems = ma.fields.Integer()


class WeeklyReportSchema(WeeklyReportSummarySchema):
    """A stored weekly report with its content document."""

    content = ma.fields.Dict(
        metadata={
            "description": "Sections: headline (figures with previous and change), review, "
            "needs_owner, open_handoffs, capacity, at_risk, hidden_gems, expiring_overrides, "
            "metrics. Versioned by schema_version."
        }
    )


@blp.route("/weekly")
class WeeklyReports(MethodView):
    """The stored weekly reports."""

    @blp.response(200, WeeklyReportSummarySchema(many=True))
    @paginate(blp)
    def get(self, pagination_parameters):
        """List the stored weekly reports, newest week first.

        A report is built once its week has ended in the workspace timezone. The reports
        cover the whole book, so a CSM is refused with 403. Paginated, with X-Pagination.
        """
        page = weekly_report.list_weekly_reports(
            db.session,
            current_actor(),
            limit=pagination_parameters.page_size,
            offset=pagination_parameters.first_item,
        )
        pagination_parameters.item_count = page.total
        return page.rows


@blp.route("/weekly/<week>")
class WeeklyReport(MethodView):
    """One stored weekly report."""

    @blp.response(200, WeeklyReportSchema)
    def get(self, week: str):
        """Read the stored report of one week (YYYY-Www), with every section.

        404 when that week has no report yet, 422 for a week that is not YYYY-Www, 403 for
        a CSM.
        """
        return weekly_report.get_weekly_report(db.session, current_actor(), week)


@blp.route("/alerts")
class Alerts(MethodView):
    """Tier-change alerts."""

    @blp.arguments(TierAlertQuerySchema, location="query")
    @blp.response(200, TierAlertSchema(many=True))
    @paginate(blp)
    def get(self, args: dict, pagination_parameters):
        """List tier-change alerts in the caller's book, newest first.

        An alert is a move from one tier to another; a first tiering is not one. Narrow by
        since (inclusive) and scheme_id. Paginated, with X-Pagination.
        """
        page = alerts.tier_alerts(
            db.session,
            current_actor(),
            since=args.get("since"),
            scheme_id=args.get("scheme_id"),
            limit=pagination_parameters.page_size,
            offset=pagination_parameters.first_item,
        )
        pagination_parameters.item_count = page.total
        return page.items
