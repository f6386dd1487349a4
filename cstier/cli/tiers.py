"""`cstier tiers`: seed schemes and re-tier the book."""

import click
from flask.cli import with_appcontext

from cstier.extensions import db
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes


@click.group("tiers")
def tiers_group() -> None:
    """Tier schemes and tiering runs."""


@tiers_group.command("seed")
@with_appcontext
def seed() -> None:
    """Create the default value, needs and segment schemes if there are none."""
    created = ensure_default_schemes(db.session)
    db.session.commit()
    click.echo(f"Seeded {len(created)} schemes." if created else "Schemes already exist.")


@tiers_group.command("run")
@click.option("--dry-run", is_flag=True, help="Evaluate and report the changes; write no tiers.")
@with_appcontext
def run(dry_run: bool) -> None:
    """Re-tier every account with the active schemes."""
    summary = run_tiering(db.session, actor_id=None, trigger="cli", dry_run=dry_run)
    label = "Dry run" if dry_run else "Run"
    click.echo(f"{label} #{summary.run_id}: {summary.accounts_evaluated:,} accounts evaluated")
    for scheme, count in summary.changes.items():
        verb = "would change" if dry_run else "changed"
        click.echo(f"  {scheme}: {count:,} {verb}")
