"""`cstier report`: print the tier review, build and email the weekly report."""

import dataclasses
import json
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.reports import InvalidDate, parse_week, week_label
from cstier.domain.reports.tier_review import money
from cstier.extensions import db
from cstier.services.errors import ServiceError
from cstier.services.reports import TierReviewReport, tier_review
from cstier.services.weekly_report import gem_thresholds, weekly_report_on_demand


@click.group("report")
def report_group() -> None:
    """Reports built from tier history."""


def _week(_ctx, _param, value: str | None) -> date | None:
    try:
        return parse_week(value) if value else None
    except InvalidDate as exc:
        raise click.BadParameter(str(exc)) from exc


@report_group.command("tier-review")
@click.option(
    "--week", callback=_week, help="An ISO week, e.g. 2026-W02. Default: the last full week."
)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@with_appcontext
def tier_review_command(week: date | None, output: str) -> None:
    """Print the tier review of one week over the whole book."""
    report = tier_review(db.session, SYSTEM_ACTOR, week)
    if output == "json":
        click.echo(
            json.dumps(dataclasses.asdict(report), default=_iso, indent=2, ensure_ascii=False)
        )
    else:
        click.echo("\n".join(text_lines(report)))


def text_lines(report: TierReviewReport) -> list[str]:
    """Return the review as plain text, one scheme after another."""
    lines = [
        f"Tier review {report.week} ({report.week_start:%a %d %b %Y} – {report.last_day:%a %d %b %Y}, UTC)",
        "",
        *report.lines,
    ]
    if report.weekly_report_built_at:
        lines += [
            "",
            f"Moves from the weekly report built {report.weekly_report_built_at:%Y-%m-%d %H:%M} UTC.",
        ]
    elif report.moves_stored_at:
        lines += [
            "",
            f"Moves as the run of {report.moves_stored_at:%Y-%m-%d %H:%M} UTC stored them"
            + (
                f", with the {report.moves_changed_since:,} accounts changed since."
                if report.moves_changed_since
                else "."
            ),
        ]
    for scheme in report.review.schemes:
        if not scheme.changes:
            continue
        lines += ["", f"{scheme.name} ({scheme.dimension})"]
        lines += [
            f"  {c['from_tier']} → {c['to_tier']}: {c['accounts']:,} accounts, {money(c['arr_cents'])}"
            for c in scheme.matrix
        ]
        lines += [
            f"  {m['direction']:>5}  {m['account_name']}: {m['from_tier']} → {m['to_tier']} ({money(m['arr_cents'])})"
            for m in scheme.top_movers[:5]
        ]
    if report.expiring_overrides:
        lines += ["", "Overrides expiring within 7 days"]
        lines += [
            f"  {o['expires_at']:%Y-%m-%d}  {o['account_name']}: {o['scheme_name']} = {o['tier']}"
            for o in report.expiring_overrides
        ]
    if report.needs_reassignment:
        lines += ["", "Accounts needing a new owner"]
        lines += [
            f"  {a['account_name']} ({a['coverage_model'] or 'no model'}, {money(a['arr_cents'])})"
            for a in report.needs_reassignment
        ]
    return lines


def _iso(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _week_label(_ctx, _param, value: str | None) -> str | None:
    try:
        return week_label(parse_week(value)) if value else None
    except InvalidDate as exc:
        raise click.BadParameter(str(exc)) from exc


@report_group.command("weekly")
@click.option(
    "--week",
    callback=_week_label,
    help="An ISO week, e.g. 2026-W02. Default: the last week ended in the workspace timezone.",
)
@click.option("--send", is_flag=True, help="Email it to the subscribers who have not had it.")
@with_appcontext
def weekly_command(week: str | None, send: bool) -> None:
    """Build (or show the stored) weekly report of an ended week, and optionally email it."""
    try:
        run = weekly_report_on_demand(db.session, week, send, gem_thresholds(current_app.config))
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    report = run.report
    state = "built" if run.built else "already stored"
    click.echo(f"Weekly report {report.week} ({report.timezone}): {state}.")
    click.echo("\n".join(weekly_lines(report.content)))
    if run.outcome is not None:
        click.echo(
            f"Emailed to {len(run.outcome.sent)} subscriber(s); "
            f"{run.outcome.already_sent} had it already."
        )


def weekly_lines(content: dict) -> list[str]:
    """Return a stored report's summary and headline figures as plain text."""
    lines = [*content["review"]["lines"], ""]
    for item in content["headline"]:
        change = f" ({item['change']:+,})" if item["change"] is not None else ""
        lines.append(f"  {item['label']}: {item['value']:,}{change}")
    return lines
