"""Back the database up to one file and restore it: SQLite's online backup, PostgreSQL's pg_dump.

A backup is written beside its target under a temporary name and renamed when complete, so a
failed one leaves nothing at the target; the file is its owner's only (it holds PII and
secrets). A restore checks the file first and changes nothing when it is missing or not a
cstier backup of this engine; PostgreSQL restores in one transaction.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from cstier.models import Account
from cstier.store.pg_archives import (
    CORE_TABLES,
    drop_before_restore,
    read_contents,
    why_not_cstier,
)

# A restore waits this long for a lock (a web worker in a transaction) before giving up.
RESTORE_LOCK_TIMEOUT = "lock_timeout=60s"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    """A backup file written: where, how large, of which engine."""

    path: Path
    size: int
    engine: str


def back_up(engine: Engine, target: Path) -> Backup:
    """Write a consistent copy of the database to `target` while it stays in use."""
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:  # owner-only from the start: a backup holds PII, password hashes and secrets
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        partial.chmod(0o600)
    except OSError as exc:
        raise BackupError(f"Cannot write the backup to {target}: {exc.strerror or exc}.") from exc
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_file(engine), partial)
        elif engine.dialect.name == "postgresql":
            _pg_dump(engine.url, partial)
        else:
            raise BackupError(f"Backups of {engine.dialect.name} are not supported.")
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Backup(target, target.stat().st_size, engine.dialect.name)


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup's; stop every other user of it first."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}; nothing was changed.")
    engine.dispose()  # the pool's connections would see the old file or hold locks
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(source)
        _sqlite_backup(source, Path(_sqlite_file(engine)))
    elif engine.dialect.name == "postgresql":
        _pg_restore(engine.url, source)
    else:
        raise BackupError(f"Restores of {engine.dialect.name} are not supported.")


def _sqlite_file(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database has no file to back up.")
    return database


def _sqlite_backup(source: str | Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API (readers go on)."""
    try:
        with (
            closing(sqlite3.connect(_read_only_uri(source), uri=True)) as reader,
            closing(sqlite3.connect(target, timeout=60)) as writer,
        ):
            reader.backup(writer)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source} to {target}: {exc}.") from exc


def _read_only_uri(path: str | Path) -> str:
    """Return a read-only SQLite URI of the file; `#`, `?` and `%` in its path are escaped."""
    return Path(path).resolve().as_uri() + "?mode=ro"


def _check_sqlite_backup(source: Path) -> None:
    """Refuse a file that is not an intact SQLite database of cstier's schema."""
    try:
        with closing(sqlite3.connect(_read_only_uri(source), uri=True)) as backup:
            verdict = backup.execute("PRAGMA integrity_check").fetchone()[0]
            revision = backup.execute("SELECT version_num FROM alembic_version").fetchone()
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        raise BackupError(
            f"{source} is not a cstier SQLite backup ({exc}); nothing was changed."
        ) from exc
    no_table = [name for name in CORE_TABLES if name not in tables]
    if no_table:
        raise BackupError(
            f"{source} is not a cstier backup (no table {', '.join(no_table)}); "
            "nothing was changed."
        )
    if verdict != "ok" or revision is None:
        problem = f"integrity check: {verdict}" if verdict != "ok" else "no schema revision"
        raise BackupError(f"{source} is damaged ({problem}); nothing was changed.")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client (e.g. postgresql-client)."
        )
    return found


def _libpq(url: URL, extra_options: str | None = None) -> tuple[str, dict[str, str]]:
    """Return the URL libpq's tools take and their environment; the password stays out of argv."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if extra_options:
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c {extra_options}".strip()
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], failure: str) -> str:
    """Run a tool to its end and return its output, or raise with the last lines it printed."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{failure}: {' / '.join(detail[-3:]) or 'exit ' + str(done.returncode)}")
    return done.stdout


def _pg_dump(url: URL, target: Path) -> None:
    dsn, env = _libpq(url)
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", dsn],
        env,
        "pg_dump failed",
    )


def _pg_restore(url: URL, source: Path) -> None:
    """Replace cstier's tables with the backup's in one transaction, or change nothing.

    The archive's table of contents is checked first: only a cstier backup with its rows is
    restored. pg_restore turns it into SQL that psql runs after dropping cstier's tables and
    what the archive creates, all in one transaction; psql commits only at the end of its
    input, so a pg_restore that fails half-way is stopped before that and nothing changes.
    """
    dsn, env = _libpq(url, RESTORE_LOCK_TIMEOUT)
    listing = _run(
        [_pg_tool("pg_restore"), "--list", str(source)],
        env,
        f"{source} is not a pg_dump custom-format backup; nothing was changed",
    )
    contents = read_contents(listing)
    refusal = why_not_cstier(contents)
    if refusal:
        raise BackupError(f"{source} is not a cstier backup ({refusal}); nothing was changed.")
    drop = drop_before_restore(Account.metadata.tables, contents)
    with tempfile.TemporaryFile() as extract_log, tempfile.TemporaryFile() as apply_log:
        failed_log = _pipe_archive_into_psql(source, dsn, env, drop, extract_log, apply_log)
        if failed_log is not None:
            failed_log.seek(0)
            detail = failed_log.read().decode("utf-8", "replace").strip().splitlines()
            raise BackupError(
                f"The restore from {source} failed; nothing was changed: {' / '.join(detail[-3:])}"
            )


def _pipe_archive_into_psql(
    source: Path, dsn: str, env: dict[str, str], drop: str, extract_log: IO, apply_log: IO
) -> IO | None:
    """Run pg_restore into psql; return the log of the one that failed first, or None.

    Their stderr goes to files, so neither blocks on a full pipe nobody reads.
    """
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")  # both found before either runs
    extract = subprocess.Popen(
        [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=extract_log,
    )
    apply = subprocess.Popen(
        [
            psql,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--command={drop}",
            "--file=-",
            dsn,
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=apply_log,
    )
    try:
        return _feed(extract, apply, extract_log, apply_log)
    except BaseException:  # interrupted: neither child may outlive the restore, psql uncommitted
        for child in (apply, extract):
            child.kill()
            child.wait()
        raise


def _feed(
    extract: subprocess.Popen, apply: subprocess.Popen, extract_log: IO, apply_log: IO
) -> IO | None:
    """Copy pg_restore's SQL into psql; return the log of the one that failed first, or None."""
    psql_gone = killed_psql = False
    try:
        while chunk := extract.stdout.read(1024 * 1024):
            apply.stdin.write(chunk)
    except BrokenPipeError:  # psql stopped on an error: pg_restore must not wait for a reader
        psql_gone = True
        extract.kill()
    extract.stdout.close()
    read = extract.wait() == 0
    if not read and not psql_gone and apply.poll() is None:
        apply.kill()  # before its input ends: it never commits
        killed_psql = True
    with suppress(BrokenPipeError):
        apply.stdin.close()
    if apply.wait() != 0 and not killed_psql:  # psql's own failure is the one to report
        return apply_log
    return None if read else extract_log
