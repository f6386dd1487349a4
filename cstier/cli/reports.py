"""`cstier report`: print the weekly tier review."""

import dataclasses
import json
from datetime import date

import click
from flask.cli import with_appcontext

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.reports import InvalidDate, parse_week
from cstier.domain.reports.tier_review import money
from cstier.extensions import db
from cstier.services.reports import TierReviewReport, tier_review


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
