"""`cstier onboarding check` and `cstier health score|backfill`: the daily checks by hand."""

import click
from flask import current_app
from flask.cli import with_appcontext

from cstier.extensions import db
from cstier.services.account_health.scoring import backfill_scores, score_accounts
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.onboarding.check import check_onboarding


@click.group("onboarding")
def onboarding_group() -> None:
    """Onboarding plans and statuses."""


@onboarding_group.command("check")
@with_appcontext
def check() -> None:
    """Start onboardings for new accounts and recompute every onboarding's status."""
    result = check_onboarding(db.session)
    click.echo(f"{result.started:,} onboardings started, {result.checked:,} checked.")
    for status, count in sorted(result.by_status.items()):
        click.echo(f"  {status}: {count:,}")


@click.group("health")
def health_group() -> None:
    """Account health scores."""


def _report(summary) -> None:
    bands = ", ".join(f"{band} {count:,}" for band, count in sorted(summary.by_band.items()))
    click.echo(f"{summary.scored_on.isoformat()}: {summary.accounts:,} accounts scored ({bands})")


@health_group.command("score")
@with_appcontext
def score() -> None:
    """Score every account today and store the scores with their contributions."""
    _report(score_accounts(db.session, sizes=batch_sizes(current_app.config)))


@health_group.command("backfill")
@click.option("--months", type=int, required=True, help="How many past months to score (1-60).")
@with_appcontext
def backfill(months: int) -> None:
    """Score the 1st of each past month from the dated inputs, for the back-test."""
    try:
        summaries = backfill_scores(db.session, months, sizes=batch_sizes(current_app.config))
    except ValidationFailed as exc:
        raise click.BadParameter(str(exc), param_hint="--months") from exc
    for summary in summaries:
        _report(summary)


COMMANDS = (onboarding_group, health_group)
