"""`cstier` commands for imports."""

import click

COMMANDS: list[click.Command] = []
