"""`cstier attributes`: define and list the custom attributes accounts carry."""

import click
from flask.cli import with_appcontext

from cstier.cli.imports import CLI_ACTOR
from cstier.domain.customer import ATTRIBUTE_CATEGORIES, ATTRIBUTE_TYPES
from cstier.extensions import db
from cstier.services import workspace
from cstier.services.errors import ServiceError


@click.group("attributes")
def attributes_group() -> None:
    """Define and list custom attributes."""


@attributes_group.command("create")
@click.argument("key")
@click.option("--type", "data_type", type=click.Choice(ATTRIBUTE_TYPES), required=True)
@click.option("--label", default="", help="Shown on account pages (default: from the key).")
@click.option(
    "--category", type=click.Choice(ATTRIBUTE_CATEGORIES), default="behavioural", show_default=True
)
@click.option(
    "--choice",
    "choices",
    multiple=True,
    help="One allowed value of a choice attribute; repeat it. A value may contain commas.",
)
@with_appcontext
def create_attribute(
    key: str, data_type: str, label: str, category: str, choices: tuple[str, ...]
) -> None:
    """Define the custom attribute KEY (imports fill it from an attr.KEY column)."""
    try:
        attribute = workspace.define_attribute(
            db.session,
            CLI_ACTOR,
            key=key,
            data_type=data_type,
            label=label,
            category=category,
            choices=list(choices),
        )
    except ServiceError as exc:
        messages = [m for ms in getattr(exc, "errors", {}).values() for m in ms] or [str(exc)]
        for message in messages:
            click.echo(f"error: {message}", err=True)
        raise SystemExit(1) from exc
    shown = f" ({' | '.join(attribute.choices)})" if attribute.choices else ""
    click.echo(f"Created attribute {attribute.key}: {attribute.data_type}{shown}.")


@attributes_group.command("list")
@with_appcontext
def list_attributes() -> None:
    """List the custom attributes: key, type, category and choices."""
    for a in workspace.list_custom_attributes(db.session):
        click.echo(f"{a.key}\t{a.data_type}\t{a.category}\t{' | '.join(a.choices or [])}")


COMMANDS: list[click.Command] = [attributes_group]
