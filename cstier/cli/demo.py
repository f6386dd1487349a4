"""Placeholder replaced by the demo helper."""

import click


@click.command("demo")
def demo_command() -> None:
    """Load demo data."""


@click.command("up")
def up_command() -> None:
    """Quickstart."""
