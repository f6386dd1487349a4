"""`cstier tiers`: seed schemes and re-tier the book."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.schemes import seed_default_schemes
from cstier.services.trends import backfill_tier_mix


class ProgressBar:
    """A click progress bar on stderr, made at the first report, when the total is known."""

    def __init__(self) -> None:
        self._bar = None
        self._done = 0

    def __call__(self, done: int, total: int, message: str | None = None) -> None:
        """Move the bar to `done` of `total` steps."""
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="Re-tiering", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(max(done - self._done, 0), current_item=message)
        self._done = max(done, self._done)

    def close(self) -> None:
        """Finish the bar's line."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


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
    """Re-tier every account with the active schemes, with a progress bar."""
    bar = ProgressBar()
    try:
        summary = retier_book(
            db.session,
            SYSTEM_ACTOR,
            trigger="cli",
            dry_run=dry_run,
            sizes=batch_sizes(current_app.config),
            progress=bar,
        )
    except ValidationFailed as exc:
        raise click.ClickException(f"{exc} Run `cstier tiers seed`.") from exc
    finally:
        bar.close()
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
