"""`cstier coverage`: seed models, derive coverage, propose and apply owners."""

import click
from flask.cli import with_appcontext

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.services.coverage import suggestions
from cstier.services.coverage.derive import derive_coverage
from cstier.services.coverage.seed import ensure_default_coverage


@click.group("coverage")
def coverage_group() -> None:
    """Coverage models, derivation and owner suggestions."""


@coverage_group.command("seed")
@with_appcontext
def seed() -> None:
    """Create the default coverage models and matrix if there are none."""
    created = ensure_default_coverage(db.session)
    db.session.commit()
    click.echo(
        f"Seeded {created} coverage models." if created else "Coverage models already exist."
    )


@coverage_group.command("derive")
@with_appcontext
def derive() -> None:
    """Derive every account's coverage model from its current tiers."""
    summary = derive_coverage(db.session)
    db.session.commit()
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
        # The CLI acts as the system: an admin-level actor with no user id.
        result = suggestions.accept(
            db.session, Actor(user_id=None, role="admin"), suggestions.all_picks(proposals), reason
        )
        click.echo(f"Applied {result.applied:,} proposals.")
        for message in result.skipped:
            click.echo(f"  skipped {message}")


COMMANDS: list[click.Command] = [coverage_group]
