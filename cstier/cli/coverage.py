"""`cstier coverage`: seed models, derive coverage, propose and apply owners."""

import click
from flask.cli import with_appcontext

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services.coverage import suggestions
from cstier.services.coverage.derive import rederive_book_coverage
from cstier.services.coverage.seed import seed_default_coverage


@click.group("coverage")
def coverage_group() -> None:
    """Coverage models, derivation and owner suggestions."""


@coverage_group.command("seed")
@with_appcontext
def seed() -> None:
    """Create the default coverage models and matrix if there are none."""
    created = seed_default_coverage(db.session, SYSTEM_ACTOR)
    click.echo(
        f"Seeded {created} coverage models." if created else "Coverage models already exist."
    )


@coverage_group.command("derive")
@with_appcontext
def derive() -> None:
    """Derive every account's coverage model from its current tiers."""
    summary = rederive_book_coverage(db.session)
    click.echo(
        f"{summary.accounts:,} accounts: {summary.changed:,} coverage changes, "
        f"{summary.flagged:,} flagged for reassignment."
    )


@coverage_group.command("suggest")
@click.option("--apply", "apply_", is_flag=True, help="Assign every proposal that names an owner.")
@click.option("--reason", default="Capacity-aware suggestion (CLI)", show_default=True)
@with_appcontext
def suggest(apply_: bool, reason: str) -> None:
    """Propose owners for unassigned and flagged accounts; optionally apply them."""
    proposals = suggestions.propose(db.session)
    placed = int(proposals["csm_id"].notna().sum())
    click.echo(f"{len(proposals):,} open accounts: {placed:,} with a proposed owner.")
    for reason_text, count in (
        proposals[proposals["csm_id"].isna()]["reason"].value_counts().items()
    ):
        click.echo(f"  {count:,} unplaced: {reason_text}")
    if apply_:
        result = suggestions.accept(
            db.session, SYSTEM_ACTOR, suggestions.all_picks(proposals), reason
        )
        click.echo(f"Applied {result.applied:,} proposals.")
        for message in result.skipped:
            click.echo(f"  skipped {message}")


COMMANDS: list[click.Command] = [coverage_group]
