"""The health page per segment: band distribution, onboarding funnel, cadence, the back-test."""

from flask import Blueprint, render_template, request
from flask_login import login_required

from cstier.domain.health.backtest import MIN_PERIODS
from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services.account_health.segments import health_backtest, health_distribution
from cstier.services.book_segments import SEGMENT_FIELDS, field_of_split
from cstier.services.engagement import compliance
from cstier.services.onboarding.segments import onboarding_by_segment
from cstier.web.current import current_actor
from cstier.web.query import text_arg

bp = Blueprint("health", __name__, url_prefix="/health")


def segment_arg() -> str:
    """Return the segment field asked for, the coverage model when it is not one we know."""
    by = request.args.get("by", "coverage_model")
    return by if by in SEGMENT_FIELDS else "coverage_model"


@bp.route("/")
@login_required
def index():
    """Show health and onboarding per segment, cadence compliance and the back-test."""
    actor = current_actor()
    by = segment_arg()
    scored_on, distribution = health_distribution(db.session, actor, by)
    cadence = compliance(db.session, actor)
    return render_template(
        "health/index.html",
        by=by,
        fields=SEGMENT_FIELDS,
        scored_on=scored_on,
        distribution=distribution,
        onboarding=onboarding_by_segment(db.session, actor, by),
        cadence=cadence,
        backtests=health_backtest(db.session, actor, by),
        min_periods=MIN_PERIODS,
        can_edit=can_manage_book(actor),
    )


@bp.route("/segments")
@login_required
def segments():
    """Render the health distribution and onboarding funnel for a metrics split (a fragment)."""
    actor = current_actor()
    by = field_of_split(db.session, text_arg("split"))
    scored_on, distribution = health_distribution(db.session, actor, by)
    return render_template(
        "health/_segments.html",
        fragment=True,
        by=by,
        fields=SEGMENT_FIELDS,
        scored_on=scored_on,
        distribution=distribution,
        onboarding=onboarding_by_segment(db.session, actor, by),
    )
