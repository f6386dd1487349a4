"""`cstier users`: create users and reset passwords from the command line."""

import sys

import click
from flask.cli import with_appcontext

from cstier.domain.permissions import ROLES
from cstier.extensions import db
from cstier.services import users
from cstier.services.errors import ValidationFailed


def read_password() -> str:
    """Read one line from piped stdin, or prompt twice on a terminal."""
    stdin = sys.stdin
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("users")
def users_group() -> None:
    """Manage users."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--name", default=None, help="Display name (defaults to the email's local part).")
@with_appcontext
def create_user(email: str, role: str, name: str | None) -> None:
    """Create a user; the password is read from stdin or a prompt, never from the arguments."""
    password = read_password()
    try:
        user = users.create_user(db.session, email, password, role, name)
    except ValidationFailed as exc:
        for messages in exc.errors.values():
            for message in messages:
                click.echo(f"error: {message}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Created {user.role} {user.email}")


@users_group.command("set-password")
@click.argument("email")
@with_appcontext
def set_password(email: str) -> None:
    """Set a user's password from stdin or a prompt and sign them out everywhere."""
    password = read_password()
    try:
        user = users.set_password(db.session, email, password)
    except ValidationFailed as exc:
        for messages in exc.errors.values():
            for message in messages:
                click.echo(f"error: {message}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Password set for {user.email}; their sessions have ended.")
