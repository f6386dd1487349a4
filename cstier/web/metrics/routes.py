"""Segment health: churn, GRR, NRR and the bridge per segment, the trend, definitions, drill-downs."""

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import login_required

from cstier.domain.metrics.definitions import ACTIVE, DEFINITIONS
from cstier.domain.metrics.retention import MEMBERS
from cstier.extensions import db
from cstier.services.errors import ServiceError
from cstier.services.exports import render
from cstier.services.jobs import background
from cstier.services.metrics.segment_health import (
    HEADLINES,
    period_members,
    segment_health,
    set_headline,
)
from cstier.services.metrics.tables import metrics_table
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.errors import render_error
from cstier.web.metrics.forms import HeadlineForm, RefreshForm
from cstier.web.query import InvalidQuery, page_arg, text_arg

bp = Blueprint("metrics", __name__, url_prefix="/metrics")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.errorhandler(ServiceError)
def refused(error: ServiceError):
    """Show a refusal the user can act on, naming the field."""
    return render_error(error.status, str(error))


def date_arg(name: str) -> date | None:
    """Return a YYYY-MM-DD argument, None when empty; refuse anything else naming it."""
    value = text_arg(name, 10)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidQuery(f"{name}: {value!r} is not a date (write YYYY-MM-DD).") from None


@bp.route("/")
@login_required
def health():
    """Show per segment the period's logo churn, GRR, NRR and bridge, and the 12-month trend."""
    page = segment_health(
        db.session,
        current_actor(),
        text_arg("by"),
        date_arg("start"),
        date_arg("end"),
        page_no=page_arg(),
    )
    return render_template(
        "metrics/not_stored.html" if page.not_stored else "metrics/health.html",
        page=page,
        headlines=HEADLINES,
        form_class=HeadlineForm,
        refresh_form=RefreshForm(),
    )


@bp.route("/refresh", methods=["POST"])
@roles_required(*MANAGERS)
def refresh():
    """Queue a refresh of the stored monthly figures and show its progress."""
    if not RefreshForm().validate_on_submit():
        raise InvalidQuery("The refresh was not queued: reload the page and try again.")
    job = background.enqueue(db.session, current_actor(), "metrics", {})
    return redirect(url_for("jobs.job", job_id=job.id))


@bp.route("/headline", methods=["POST"])
@login_required
def headline():
    """Store the headline metric a segment reads first."""
    form = HeadlineForm()
    if not form.validate_on_submit():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise InvalidQuery(f"The headline was not saved ({problems}).")
    set_headline(db.session, current_actor(), form.by.data, form.segment.data, form.metric.data)
    flash(f"{form.segment.data} now reads {HEADLINES[form.metric.data]} first.", "success")
    return redirect(
        url_for(
            ".health", by=form.by.data, start=form.start.data or None, end=form.end.data or None
        )
    )


@bp.route("/accounts")
@login_required
def accounts():
    """List the accounts behind one figure of one segment."""
    measure = text_arg("measure") or "cohort"
    if measure not in MEMBERS:
        raise InvalidQuery(f"measure: choose one of {', '.join(MEMBERS)}.")
    start, end = date_arg("start"), date_arg("end")
    if start is None or end is None:
        raise InvalidQuery("start and end: give the period's two days, YYYY-MM-DD.")
    found = period_members(
        db.session, current_actor(), start, end, text_arg("by"), text_arg("segment"), measure
    )
    return render_template(
        "metrics/accounts.html", found=found, start=start, end=end, by=text_arg("by")
    )


@bp.route("/definitions")
@login_required
def definitions():
    """Show every metric's definition card."""
    return render_template("metrics/definitions.html", active=ACTIVE, cards=DEFINITIONS)


@bp.route("/card")
@login_required
def card():
    """Render the dashboard's small retention card: last month's churn and NRR with their trend."""
    page = segment_health(db.session, current_actor(), "total")
    return render_template("metrics/_card.html", page=page)


@bp.route("/export/<table>.<fmt>")
@login_required
def export(table: str, fmt: str):
    """Download a metrics table (churn of a period, or the trend) as CSV or XLSX."""
    if fmt not in MEDIA_TYPES:
        raise InvalidQuery("Choose csv or xlsx.")
    frame = metrics_table(
        db.session,
        current_actor(),
        table,
        start=date_arg("start"),
        end=date_arg("end"),
        by=text_arg("by"),
    )
    return Response(
        render(frame, fmt),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{table}.{fmt}"'},
    )
