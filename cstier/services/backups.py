"""Back the database up to a file and restore it, on SQLite and PostgreSQL alike."""

from pathlib import Path

from sqlalchemy import Engine

from cstier.services.errors import ServiceError
from cstier.store import backups
from cstier.store.backups import Backup


class BackupFailed(ServiceError):
    """A backup or restore that could not be done; nothing at the target or in the database changed."""


def back_up(engine: Engine, target: Path) -> Backup:
    """Write a consistent backup of the live database to `target`."""
    try:
        return backups.back_up(engine, target)
    except backups.BackupError as exc:
        raise BackupFailed(str(exc)) from exc


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with a backup's, or change nothing if it is refused."""
    try:
        backups.restore(engine, source)
    except backups.BackupError as exc:
        raise BackupFailed(str(exc)) from exc
