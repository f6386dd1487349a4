"""`cstier import` and `cstier export`: the command-line entry points onto the import and export services."""

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cstier.domain.imports import KINDS
from cstier.domain.imports.end_dates import END_DATE_CONVENTIONS
from cstier.domain.imports.mapping import ImportMapping
from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services import exports
from cstier.services.batch_sizes import batch_sizes
from cstier.services.imports import ImportOutcome, ImportRequest, import_file
from cstier.services.imports.reader import ReadLimits
from cstier.services.imports.uploads import remove_abandoned_uploads

# The command line runs with the operator's full access, like a manager in the UI.
CLI_ACTOR = SYSTEM_ACTOR


def echo_outcome(outcome: ImportOutcome) -> None:
    """Print the counts, or the errors grouped by reason, then the first of them one by one."""
    if outcome.errors:
        for group in outcome.errors.groups():
            click.echo(group["summary"], err=True)
        for error in outcome.errors.items:
            click.echo(f"error: {error}", err=True)
        hidden = outcome.errors.total - len(outcome.errors.items)
        if hidden:
            click.echo(f"... and {hidden} more errors", err=True)
        click.echo(f"{outcome.errors.total} errors: nothing was written.", err=True)
        return
    verb = "would be" if outcome.dry_run else "were"
    click.echo(
        f"{outcome.rows} rows: {outcome.created} created, {outcome.updated} updated, "
        f"{outcome.unchanged} unchanged ({verb} written)."
    )
    if outcome.companies_created:
        click.echo(f"{outcome.companies_created} companies created, one per account.")
    if outcome.ignored_columns:
        click.echo(f"ignored columns: {', '.join(outcome.ignored_columns)}")
    if outcome.retier_run_id:
        click.echo(f"re-tier run {outcome.retier_run_id} done.")
    if outcome.retier_refused:
        click.echo(f"not re-tiered: {outcome.retier_refused}")


@click.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON: {"columns": {"file header": "column"}, "constants": {...}, "defaults": {...}, '
    '"date_format": "DMY"|"MDY", "decimal_separator": "."|",", "companies": "from_accounts"} '
    '(or the older {"file header": "column"}); see docs/guide.md, "Import and export".',
)
@click.option("--encoding", default=None, help="Encoding of a non-UTF-8 CSV, e.g. cp1252.")
@click.option(
    "--retier/--no-retier",
    default=True,
    show_default=True,
    help="Re-tier the book after an import that changed something.",
)
@click.option(
    "--end-dates",
    type=click.Choice(END_DATE_CONVENTIONS),
    default="exclusive",
    show_default=True,
    help="Subscriptions: inclusive when end dates are the last day of service (adds one day).",
)
@with_appcontext
def import_command(
    kind: str,
    file: Path,
    dry_run: bool,
    mapping: Path | None,
    encoding: str | None,
    retier: bool,
    end_dates: str,
) -> None:
    """Import a CSV or XLSX file of KIND: validated whole, written all or nothing."""
    chosen = _read_mapping(mapping) if mapping else None
    request = ImportRequest(
        kind,
        file,
        file.name,
        dry_run=dry_run,
        mapping=chosen,
        encoding=encoding,
        retier=retier,
        end_dates=end_dates,
        limits=ReadLimits.from_config(current_app.config),
        sizes=batch_sizes(current_app.config),
    )
    outcome = import_file(db.session, request)
    echo_outcome(outcome)
    if outcome.errors:
        raise SystemExit(1)


def _read_mapping(path: Path) -> ImportMapping:
    """Read a --mapping file, or stop with a message saying what to fix."""
    try:
        return ImportMapping.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError and MappingRefused too
        raise click.ClickException(
            f"The mapping file {path.name} was not understood: {exc}"
        ) from exc


@click.command("export")
@click.argument("kind", type=click.Choice(list(exports.EXPORTS)))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--q", default=None, help="Name or external id contains.")
@click.option("--stage", default=None, help="Lifecycle stage.")
@click.option("--region", default=None)
@click.option("--industry", default=None)
@click.option("--plan", default=None)
@click.option("--scheme", default=None, help="Tier scheme key (segment export, tier filter).")
@click.option("--tier", default=None, help="Tier within --scheme.")
@with_appcontext
def export_command(kind: str, file: Path, scheme: str | None, tier: str | None, **filters) -> None:
    """Export KIND to FILE; the extension (.csv or .xlsx) picks the format."""
    fmt = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
    flt = exports.AccountFilter(
        q=filters["q"],
        lifecycle_stage=filters["stage"],
        region=filters["region"],
        industry=filters["industry"],
        plan=filters["plan"],
    )
    try:
        frame = exports.build(db.session, CLI_ACTOR, kind, flt, scheme_key=scheme, tier=tier)
    except exports.ExportRefused as exc:
        raise click.ClickException(str(exc)) from exc
    file.write_bytes(exports.render(frame, fmt))
    click.echo(f"Wrote {len(frame)} rows to {file}")


@click.group("imports")
def imports_group() -> None:
    """Look after the files of web imports."""


@imports_group.command("cleanup")
@click.option(
    "--max-age-hours",
    type=click.IntRange(min=0),
    default=None,
    help="Remove uploads older than this (default CSTIER_UPLOAD_MAX_AGE_HOURS).",
)
@with_appcontext
def cleanup_command(max_age_hours: int | None) -> None:
    """Remove web uploads that were never applied and are older than the limit."""
    hours = current_app.config["UPLOAD_MAX_AGE_HOURS"] if max_age_hours is None else max_age_hours
    removed = remove_abandoned_uploads(db.session, timedelta(hours=hours))
    click.echo(f"Removed {removed} uploads older than {hours} hours.")


COMMANDS: list[click.Command] = [import_command, export_command, imports_group]
