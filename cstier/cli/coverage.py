"""`cstier` commands for coverage."""

import click

COMMANDS: list[click.Command] = []
