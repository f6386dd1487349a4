"""The `cstier` command line: a Flask CLI group with the project's commands."""

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from cstier import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Manage cstier: database, users, demo data, the development server."""


def register_cli(app: Flask) -> None:
    """Attach the project's command groups to the app's CLI."""
    from cstier.cli.demo import demo_command, up_command
    from cstier.cli.reports import report_group
    from cstier.cli.tiers import tiers_group
    from cstier.cli.users import users_group

    app.cli.add_command(users_group)
    app.cli.add_command(tiers_group)
    app.cli.add_command(report_group)
    from cstier.cli import alerts, attributes, coverage, health, imports, jobs, metrics, tokens

    for module in (imports, attributes, tokens, coverage, alerts, health, metrics, jobs):
        for command in module.COMMANDS:
            app.cli.add_command(command)
    app.cli.add_command(demo_command)
    app.cli.add_command(up_command)
    from cstier.cli.backups import add_backup_commands

    add_backup_commands()
