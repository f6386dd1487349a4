"""`cstier tokens`: create, list and revoke API tokens from the command line."""

import click
from flask.cli import with_appcontext

from cstier.extensions import db
from cstier.services import tokens
from cstier.services.errors import ServiceError


def _fail(exc: ServiceError) -> None:
    """Print the service's messages and exit non-zero."""
    messages = [m for ms in getattr(exc, "errors", {}).values() for m in ms] or [str(exc)]
    for message in messages:
        click.echo(f"error: {message}", err=True)
    raise SystemExit(1) from exc


@click.group("tokens")
def tokens_group() -> None:
    """Manage API tokens."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@with_appcontext
def create_token(email: str, name: str) -> None:
    """Create a token for a user and print it once; only its hash is stored."""
    try:
        user = tokens.user_by_email(db.session, email)
        token, raw = tokens.create_token(db.session, user, name)
    except ServiceError as exc:
        _fail(exc)
    click.echo(
        f"Created token {token.id} ({token.prefix}…) for {user.email}. It is shown once:", err=True
    )
    click.echo(raw)


@tokens_group.command("list")
@click.argument("email", required=False)
@with_appcontext
def list_tokens(email: str | None) -> None:
    """List tokens (a user's, or everyone's) by prefix, never the token itself."""
    try:
        user_id = tokens.user_by_email(db.session, email).id if email else None
    except ServiceError as exc:
        _fail(exc)
    for token in tokens.list_tokens(db.session, user_id):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(
            f"{token.id}\t{token.prefix}…\t{token.user.email}\t{token.name}\t{state}\tused {used}"
        )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token(token_id: int) -> None:
    """Revoke a token by id; requests with it get 401 from now on."""
    try:
        token = tokens.revoke_token(db.session, token_id)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Revoked token {token.id} ({token.prefix}…) of {token.user.email}.")


COMMANDS: list[click.Command] = [tokens_group]
