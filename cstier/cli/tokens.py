"""`cstier` commands for tokens."""

import click

COMMANDS: list[click.Command] = []
