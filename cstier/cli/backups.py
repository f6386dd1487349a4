"""`cstier db backup PATH` and `cstier db restore PATH`, beside Flask-Migrate's `db upgrade`."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_group

from cstier.extensions import db
from cstier.services.backups import BackupFailed, back_up, restore


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a backup of the database to PATH while the app keeps running."""
    try:
        done = back_up(db.engine, path)
    except BackupFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up the {done.engine} database to {done.path} ({done.size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's contents with the backup at PATH (stop web and scheduler first)."""
    if not yes:
        click.confirm(
            f"Replace everything in the database with {path}? Stop the web and scheduler "
            "processes first.",
            abort=True,
        )
    try:
        restore(db.engine, path)
    except BackupFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored the database from {path}.")


def add_backup_commands() -> None:
    """Put backup and restore into the `db` group that Flask-Migrate registers."""
    db_group.add_command(backup_command)
    db_group.add_command(restore_command)
