"""Admins see and run the scheduled jobs and edit their schedules; anyone follows their own background job."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from cstier.extensions import db
from cstier.jobs.schedule import SCHEDULED_JOBS
from cstier.services.errors import NotFound
from cstier.services.jobs import background, schedules
from cstier.web.current import current_actor, roles_required
from cstier.web.jobs.forms import CronForm, RunNowForm
from cstier.web.saving import save_or_refuse

bp = Blueprint("jobs", __name__)


def _jobs_page(forms: dict | None = None, status: int = 200):
    overview = schedules.jobs_overview(db.session, current_actor(), SCHEDULED_JOBS)
    forms = forms or {}
    cron_forms = {
        s.timetable.plan.name: forms.get(s.timetable.plan.name)
        or CronForm(formdata=None, cron=s.timetable.cron)
        for s in overview.statuses
    }
    return render_template(
        "jobs/admin.html",
        statuses=overview.statuses,
        runs=overview.recent_runs,
        cron_forms=cron_forms,
        run_form=RunNowForm(),
        recent=overview.background_jobs,
    ), status


@bp.route("/admin/jobs")
@roles_required("admin")
def admin_jobs():
    """Show each scheduled job's last run, next run, duration and outcome."""
    return _jobs_page()


@bp.route("/admin/jobs/<name>/run", methods=["POST"])
@roles_required("admin")
def run_now(name: str):
    """Queue a scheduled job to run as soon as the scheduler sees it."""
    if not RunNowForm().validate_on_submit():
        abort(400)
    try:
        schedules.run_now(db.session, current_actor(), SCHEDULED_JOBS, name)
    except NotFound:
        abort(404)
    flash(f"{name} is queued; the scheduler runs it within a few seconds.", "success")
    return redirect(url_for(".admin_jobs"))


@bp.route("/admin/jobs/<name>/schedule", methods=["POST"])
@roles_required("admin")
def edit_schedule(name: str):
    """Save a job's cron expression; a bad one is refused with a message and nothing is saved."""
    form = CronForm()
    if not form.validate_on_submit():
        return _jobs_page({name: form}, 400)
    try:
        saved, status = save_or_refuse(
            form,
            lambda: schedules.set_schedule(
                db.session, current_actor(), SCHEDULED_JOBS, name, form.cron.data
            ),
        )
    except NotFound:
        abort(404)
    if saved is None:
        return _jobs_page({name: form}, status)
    flash(f"{saved.plan.title} now runs at {saved.cron!r} ({saved.timezone}).", "success")
    return redirect(url_for(".admin_jobs"))


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    """Show a background job: queued, running with progress, done with its result, or failed."""
    return render_template("jobs/job.html", job=_job(job_id))


@bp.route("/jobs/<int:job_id>/status")
@login_required
def job_status(job_id: int):
    """Return the job's status panel, which polls itself while the job is not finished."""
    return render_template("jobs/_status.html", job=_job(job_id))


def _job(job_id: int):
    try:
        return background.get_job(db.session, current_actor(), job_id)
    except NotFound:
        abort(404)
