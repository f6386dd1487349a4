"""`cstier alerts` and `cstier secrets`: dispatch, deliver, digests, and key rotation."""

import os
import socket

import click
from flask.cli import with_appcontext

from cstier.extensions import db
from cstier.services import alerts_delivery
from cstier.services.alerts_delivery.endpoints import rotate_secrets


@click.group("alerts")
def alerts_group() -> None:
    """Turn tier and coverage changes into notifications, emails and webhooks."""


@alerts_group.command("dispatch")
@with_appcontext
def dispatch_command() -> None:
    """Turn committed outbox events into notifications and deliveries (safe to repeat)."""
    summary = alerts_delivery.dispatch_events(db.session)
    click.echo(
        f"Dispatched {summary.events} event(s): {summary.notifications} notification(s), "
        f"{summary.deliveries} delivery(ies) queued."
    )


@alerts_group.command("deliver")
@click.option("--limit", default=200, show_default=True, help="Deliveries to claim at most.")
@with_appcontext
def deliver_command(limit: int) -> None:
    """Send the deliveries that are due, at least once, with backoff on failure."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    summary = alerts_delivery.deliver_due(db.session, worker_id=worker, limit=limit)
    click.echo(
        f"Claimed {summary.claimed}: sent {summary.sent}, retrying {summary.retrying}, "
        f"failed {summary.failed}, given up {len(summary.gave_up)}."
    )
    if summary.gave_up:
        raise SystemExit(1)  # an operator must hear of given-up deliveries


@alerts_group.command("digest")
@click.option("--daily", "period", flag_value="daily", help="The daily digest.")
@click.option("--weekly", "period", flag_value="weekly", help="The weekly digest.")
@with_appcontext
def digest_command(period: str | None) -> None:
    """Queue each user's digest email of the period (once per user and period)."""
    if period is None:
        raise click.UsageError("Say --daily or --weekly.")
    summary = alerts_delivery.send_digests(db.session, None, period)
    click.echo(
        f"Queued {summary.digests} {period} digest(s) of {summary.notifications} notification(s); "
        "`cstier alerts deliver` sends them."
    )


@click.group("secrets")
def secrets_group() -> None:
    """Manage the encrypted webhook secrets."""


@secrets_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Re-encrypt every webhook secret with the first key of CSTIER_ENCRYPTION_KEY.

    Set CSTIER_ENCRYPTION_KEY="new,old", run this, then drop the old key.
    """
    click.echo(f"Re-encrypted {rotate_secrets(db.session)} webhook secret(s) with the new key.")


COMMANDS = (alerts_group, secrets_group)
