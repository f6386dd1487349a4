"""`cstier tiers`: seed schemes and re-tier the book."""

import click
from flask import current_app
from flask.cli import with_appcontext

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import seed_default_schemes
from cstier.services.trends import backfill_tier_mix


@click.group("tiers")
def tiers_group() -> None:
    """Tier schemes and tiering runs."""


@tiers_group.command("seed")
@with_appcontext
def seed() -> None:
    """Create the default value, needs and segment schemes if there are none."""
    created = seed_default_schemes(db.session, SYSTEM_ACTOR)
    click.echo(f"Seeded {len(created)} schemes." if created else "Schemes already exist.")


@tiers_group.command("run")
@click.option("--dry-run", is_flag=True, help="Evaluate and report the changes; write no tiers.")
@with_appcontext
def run(dry_run: bool) -> None:
    """Re-tier every account with the active schemes."""
    try:
        summary = run_tiering(
            db.session,
            SYSTEM_ACTOR,
            trigger="cli",
            dry_run=dry_run,
            sizes=batch_sizes(current_app.config),
        )
    except ValidationFailed as exc:
        raise click.ClickException(f"{exc} Run `cstier tiers seed`.") from exc
    label = "Dry run" if dry_run else "Run"
    click.echo(f"{label} #{summary.run_id}: {summary.accounts_evaluated:,} accounts evaluated")
    for scheme, count in summary.changes.items():
        verb = "would change" if dry_run else "changed"
        click.echo(f"  {scheme}: {count:,} {verb}")


@tiers_group.command("backfill-mix")
@with_appcontext
def backfill_mix() -> None:
    """Store the tier mix and headcount of past runs that have none, for the trend charts."""
    summary = backfill_tier_mix(db.session)
    click.echo(f"Stored the tier mix of {summary.runs:,} past runs.")
