"""Report pages: the weekly tier review, the tier-change alerts list and the trends."""

import math

from flask import Blueprint, current_app, flash, render_template, request
from flask_login import login_required

from cstier.domain.reports import InvalidDate, parse_since, parse_week, week_label
from cstier.extensions import db
from cstier.services import alerts, reports, trends
from cstier.web.current import current_actor
from cstier.web.query import InvalidQuery, page_arg, parse_id

bp = Blueprint("reports", __name__)

ALERTS_PER_PAGE = 50


@bp.route("/reports/tier-review")
@login_required
def tier_review():
    """Show one week's tier moves per scheme (the last full week unless ?week=YYYY-Www)."""
    default_week = week_label(reports.default_week())
    try:
        week_start = parse_week(request.args["week"]) if request.args.get("week") else None
    except InvalidDate as exc:
        flash(str(exc), "warning")
        return render_template(
            "reports/tier_review.html", report=None, default_week=default_week, week=""
        ), 400
    report = reports.tier_review(db.session, current_actor(), week_start)
    moves = [
        {"scheme": s.name, "up": s.up, "down": s.down, "moved": s.moved}
        for s in report.review.schemes
    ]
    return render_template(
        "reports/tier_review.html",
        report=report,
        moves=moves,
        default_week=default_week,
        week=report.week,
    )


@bp.route("/reports/trends")
@login_required
def trends_page():
    """Show tier mix, weekly moves and headcount per coverage model over the last 12 weeks."""
    return render_template("reports/trends.html", report=trends.trends_report(db.session))


@bp.route("/alerts")
@login_required
def alert_list():
    """List tier-change alerts in the user's book, newest first, by scheme and since a date."""
    since_text = request.args.get("since", "").strip()
    scheme_text = request.args.get("scheme", "").strip()
    page_no = page_arg()
    errors, since, scheme_id = [], None, None
    if since_text:
        try:
            since = parse_since(since_text)
        except InvalidDate as exc:
            errors.append(str(exc))
    if scheme_text:
        try:
            scheme_id = parse_id(scheme_text, "scheme")
        except InvalidQuery:
            errors.append("Choose a scheme from the list.")
    for message in errors:
        flash(message, "warning")
    page = None
    if not errors:
        page = alerts.tier_alerts(
            db.session,
            current_actor(),
            since=since,
            scheme_id=scheme_id,
            limit=ALERTS_PER_PAGE,
            offset=(page_no - 1) * ALERTS_PER_PAGE,
            count_cap=current_app.config["ACCOUNTS_COUNT_CAP"],
        )
    return render_template(
        "reports/alerts.html",
        page=page,
        page_no=page_no,
        pages=max(math.ceil(page.total / ALERTS_PER_PAGE), 1) if page else 1,
        schemes=list(reports.scheme_tiers(db.session).values()),
        since=since_text,
        scheme_id=scheme_id,
    ), (400 if errors else 200)
