"""Weekly report pages: the stored reports, one report with charts, downloads, the email setting."""

import math

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Optional, Regexp

from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services import weekly_report
from cstier.services.errors import ServiceError
from cstier.services.jobs import background
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.errors import render_error
from cstier.web.query import page_arg

bp = Blueprint("weekly_reports", __name__, url_prefix="/reports/weekly")

REPORTS_PER_PAGE = 26


class SubscriptionForm(FlaskForm):
    """Whether the signed-in manager gets the weekly report by email."""

    subscribed = BooleanField("Email me the weekly report")
    submit = SubmitField("Save")


class BuildForm(FlaskForm):
    """Build one week's report now, as a background job (blank: the last ended week)."""

    week = StringField(
        "Week",
        validators=[Optional(), Regexp(r"^\d{4}-W\d{2}$", message="Write the week as 2026-W05.")],
    )
    build = SubmitField("Build now")


@bp.route("/")
@login_required
def index():
    """List the stored weekly reports, newest first, with the email setting for managers."""
    actor, page_no = current_actor(), page_arg()
    try:
        page = weekly_report.list_weekly_reports(
            db.session, actor, REPORTS_PER_PAGE, (page_no - 1) * REPORTS_PER_PAGE
        )
    except ServiceError as exc:
        return render_error(exc.status, str(exc))
    form = build_form = None
    if can_manage_book(actor):
        form = SubscriptionForm(subscribed=weekly_report.is_subscribed(db.session, actor))
        build_form = BuildForm()
    return render_template(
        "reports/weekly_index.html",
        page=page,
        page_no=page_no,
        pages=max(math.ceil(page.total / REPORTS_PER_PAGE), 1),
        form=form,
        build_form=build_form,
    )


@bp.route("/build", methods=["POST"])
@roles_required(*MANAGERS)
def build():
    """Queue the build of a week's report and show its progress."""
    form = BuildForm()
    if not form.validate_on_submit():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        return render_error(400, f"The report was not queued: {problems}")
    params = {"week": form.week.data} if form.week.data else {}
    job = background.enqueue(db.session, current_actor(), "report", params)
    return redirect(url_for("jobs.job", job_id=job.id))


@bp.route("/subscription", methods=["POST"])
@login_required
def subscription():
    """Turn the weekly report email on or off for the signed-in manager."""
    form = SubscriptionForm()
    if not form.validate_on_submit():
        return render_error(400, "The form expired; reload the page and save again.")
    try:
        on = weekly_report.set_subscription(db.session, current_actor(), form.subscribed.data)
    except ServiceError as exc:
        return render_error(exc.status, str(exc))
    flash(
        "You will get the weekly report by email." if on else "Weekly report emails are off.",
        "success",
    )
    return redirect(url_for(".index"))


@bp.route("/<week>")
@login_required
def show(week: str):
    """Show one stored weekly report: figures against last week, charts and every section."""
    try:
        report = weekly_report.get_weekly_report(db.session, current_actor(), week)
    except ServiceError as exc:
        return render_error(exc.status, str(exc))
    content = report.content
    moves = [
        {"scheme": s["name"], "up": s["up"], "down": s["down"], "moved": s["moved"]}
        for s in content["review"]["schemes"]
    ]
    return render_template("reports/weekly_show.html", report=report, c=content, moves=moves)


@bp.route("/<week>/download.<fmt>")
@login_required
def download(week: str, fmt: str):
    """Download one report: a zip of one CSV per section, or an XLSX with a sheet per section."""
    try:
        file = weekly_report.download(db.session, current_actor(), week, fmt)
    except ServiceError as exc:
        return render_error(404 if exc.status == 400 else exc.status, str(exc))
    return Response(
        file.data,
        mimetype=file.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
