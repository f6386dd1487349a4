"""`cstier metrics`: churn and retention per segment, the monthly trend, and the stored refresh."""

import csv
import io
import json
from datetime import date

import click
from flask.cli import with_appcontext

from cstier.domain.metrics.report import percent, report_rows, trend_rows
from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services.errors import ServiceError
from cstier.services.metrics import churn, refresh_metrics, trend

FORMATS = click.Choice(["text", "json", "csv"])


@click.group("metrics")
def metrics_group() -> None:
    """Churn and retention per segment (definitions: docs/metrics.md)."""


def _day(_ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (write YYYY-MM-DD)") from exc


def _csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def _text(report: dict) -> list[str]:
    lines = [
        f"{'Segment':<24} {'Accounts':>8} {'Churned':>8} {'Logo churn':>10} {'Start MRR':>14} "
        f"{'End MRR':>14} {'Churned MRR':>14} {'Contraction':>12} {'GRR':>8} {'NRR':>8}"
    ]
    for row in [*report["segments"], report["total"]]:
        lines.append(
            f"{row['segment'][:24]:<24} {row['accounts_start']:>8,} {row['accounts_churned']:>8,} "
            f"{percent(row['logo_churn']):>10} {_money(row['mrr_start_cents']):>14} "
            f"{_money(row['mrr_end_cents']):>14} {_money(row['churned_mrr_cents']):>14} "
            f"{_money(row['contraction_cents']):>12} {percent(row['grr']):>8} "
            f"{percent(row['nrr']):>8}"
        )
    bridge = report["total"]["bridge"]
    lines.append(
        "Bridge: start {start} + new {new} + expansion {expansion} + reactivation "
        "{reactivation} − contraction {contraction} − churned {churned} = end {end}".format(
            **{step: _money(cents) for step, cents in bridge.items()}
        )
    )
    return lines


def _header(report: dict) -> str:
    when = report["computed_at"] or "now"
    return f"Segments: {report['basis']}. Computed: {when}."


def _fail(exc: ServiceError) -> None:
    raise click.ClickException(str(exc)) from exc


@metrics_group.command("churn")
@click.option("--start", required=True, callback=_day, help="Opening snapshot, YYYY-MM-DD.")
@click.option("--end", required=True, callback=_day, help="Closing snapshot, YYYY-MM-DD.")
@click.option("--by", default=None, help="Split: a tier scheme key, coverage_model, csm, plan, …")
@click.option("--format", "output", type=FORMATS, default="text", show_default=True)
@with_appcontext
def churn_command(start: date, end: date, by: str | None, output: str) -> None:
    """Print logo churn, GRR, NRR and the MRR bridge of one period, per segment."""
    try:
        report = churn(db.session, SYSTEM_ACTOR, start, end, by, batch=True)
    except ServiceError as exc:
        _fail(exc)
    if output == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif output == "csv":
        click.echo(_csv(report_rows(report)), nl=False)
    else:
        click.echo(f"Churn {report['start']} – {report['end']}. {_header(report)}")
        click.echo("\n".join(_text(report)))


@metrics_group.command("trend")
@click.option("--periods", type=click.IntRange(1, 120), default=12, show_default=True)
@click.option("--by", default=None, help="Split: a tier scheme key, coverage_model, csm, plan, …")
@click.option("--format", "output", type=FORMATS, default="text", show_default=True)
@with_appcontext
def trend_command(periods: int, by: str | None, output: str) -> None:
    """Print the monthly series of the last full months, per segment."""
    try:
        series = trend(db.session, SYSTEM_ACTOR, periods=periods, by=by, batch=True)
    except ServiceError as exc:
        _fail(exc)
    if output == "json":
        click.echo(json.dumps(series, indent=2, ensure_ascii=False))
    elif output == "csv":
        click.echo(_csv(trend_rows(series)), nl=False)
    else:
        click.echo(_header(series))
        for period in series["periods"]:
            click.echo(f"\n{period['start']} – {period['end']}")
            click.echo("\n".join(_text(period)))


@metrics_group.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Compute and store the monthly figures and the churned accounts."""
    try:
        summary = refresh_metrics(db.session)
    except ServiceError as exc:
        _fail(exc)
    rows = sum(summary.rows.values())
    click.echo(
        f"Stored {rows} rows over {len(summary.rows)} splits; "
        f"{summary.churned_accounts} accounts churned; computed at {summary.computed_at:%Y-%m-%d %H:%M} UTC."
    )


COMMANDS = [metrics_group]
