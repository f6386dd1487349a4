"""`cstier db backup` and `cstier db restore`: the book comes back; bad input changes nothing."""

import os
import sqlite3
import stat
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, Company, StoredFile, StoredFileChunk
from tests.conftest import make_app
from tests.factories import AccountFactory

ON_POSTGRESQL = bool(os.environ.get("CSTIER_TEST_DATABASE_URL"))
pg_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump archives are PostgreSQL's")


@pytest.fixture
def book(db_session):
    accounts = AccountFactory.create_batch(3)
    db_session.remove()
    return accounts


def snapshot() -> list[tuple]:
    """Return the book as a fresh connection reads it."""
    with Session(db.engine) as fresh:
        return fresh.execute(
            select(Account.external_id, Account.name, Account.arr_cents, Company.name)
            .join(Company)
            .order_by(Account.external_id)
        ).all()


def damage_the_book() -> None:
    with db.engine.begin() as conn:
        conn.execute(update(Company).values(name="Overwritten"))
        conn.execute(delete(Account).where(Account.external_id != "nothing"))


def invoke(runner, *args: str):
    db.session.remove()  # the test's connection must not hold what a restore replaces
    return runner.invoke(args=["db", *args])


def test_a_restore_brings_back_the_book_as_it_was_backed_up(runner, book, tmp_path):
    before = snapshot()
    path = tmp_path / "cstier.backup"

    backed_up = invoke(runner, "backup", str(path))
    damage_the_book()
    restored = invoke(runner, "restore", str(path), "--yes")

    assert backed_up.exit_code == 0, backed_up.output
    assert f"database to {path} (" in backed_up.output and path.stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]
    assert restored.exit_code == 0, restored.output
    assert len(before) == 3 and snapshot() == before


def test_a_sqlite_database_is_backed_up_online_and_restored(tmp_path):
    own = make_app(f"sqlite:///{tmp_path / 'own.sqlite'}", str(tmp_path / "instance"))
    with own.app_context():
        upgrade()
        AccountFactory.create_batch(2)
        before = snapshot()
        runner = own.test_cli_runner()
        reader = db.session  # an open reader does not stop an online backup
        assert reader.scalar(select(Account.id).limit(1))

        backed_up = runner.invoke(args=["db", "backup", str(tmp_path / "b.sqlite")])
        damage_the_book()
        restored = invoke(runner, "restore", str(tmp_path / "b.sqlite"), "--yes")

        assert backed_up.exit_code == 0 and "the sqlite database" in backed_up.output
        assert restored.exit_code == 0, restored.output
        assert snapshot() == before
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing-folder/cstier.backup", "Cannot write the backup to"),
        (".", "is a directory"),
    ],
)
def test_a_backup_to_an_unwritable_path_is_refused_and_leaves_nothing(
    runner, book, tmp_path, target, message
):
    result = invoke(runner, "backup", str(tmp_path / target))

    assert result.exit_code != 0 and message in result.output
    assert list(tmp_path.iterdir()) == []


def corrupt_files(tmp_path: Path, runner) -> dict[str, Path]:
    """Return backups a restore must refuse: missing, random bytes, cut, another app's database."""
    whole = tmp_path / "whole.backup"
    assert invoke(runner, "backup", str(whole)).exit_code == 0
    random_bytes, cut = tmp_path / "random.backup", tmp_path / "cut.backup"
    random_bytes.write_bytes(os.urandom(4096))
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    # Its table of contents reads fine (pg_restore --list): it fails while it is restored.
    end_cut = tmp_path / "end-cut.backup"
    end_cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 99 // 100])
    other_app = tmp_path / "other-app.sqlite"  # it has a schema revision, but not cstier's tables
    with closing(sqlite3.connect(other_app)) as conn, conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    return {
        "other_app": other_app,
        "missing": tmp_path / "missing.backup",
        "random": random_bytes,
        "cut": cut,
        "end_cut": end_cut,
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "No backup file at"),
        ("random", "nothing was changed"),
        ("cut", "nothing was changed"),
        ("end_cut", "nothing was changed"),
        ("other_app", "nothing was changed"),
    ],
)
def test_a_restore_of_a_missing_or_corrupt_file_is_refused_and_changes_nothing(
    runner, book, tmp_path, case, message
):
    source = corrupt_files(tmp_path, runner)[case]
    with db.engine.begin() as conn:  # changed after the backup: a refused restore keeps this
        conn.execute(update(Company).values(name="Kept"))
    before = snapshot()

    result = invoke(runner, "restore", str(source), "--yes")

    assert result.exit_code == 1 and message in result.output
    assert snapshot() == before and {row[3] for row in before} == {"Kept"}


def test_a_restore_asks_first_and_no_changes_nothing(runner, book, tmp_path):
    path = tmp_path / "cstier.backup"
    invoke(runner, "backup", str(path))
    damage_the_book()

    db.session.remove()
    result = runner.invoke(args=["db", "restore", str(path)], input="n\n")

    assert result.exit_code == 1 and "Aborted" in result.output
    assert snapshot() == []


def test_a_restore_drops_cstier_tables_the_backup_lacks_and_keeps_other_applications(
    scratch_url, tmp_path
):
    own = make_app(scratch_url, str(tmp_path / "instance"))
    path = tmp_path / "cstier.backup"
    with own.app_context():
        upgrade()
        AccountFactory.create_batch(3)
        before = snapshot()
        chunks = StoredFileChunk.__table__
        with db.engine.begin() as conn:  # backed up before a later release added this table
            chunks.drop(conn)
        runner = own.test_cli_runner()
        assert invoke(runner, "backup", str(path)).exit_code == 0
        with db.engine.begin() as conn:
            chunks.create(conn)
            conn.execute(text("CREATE TABLE other_app_orders (id INTEGER PRIMARY KEY)"))

        result = invoke(runner, "restore", str(path), "--yes")

        names = inspect(db.engine).get_table_names()
        assert result.exit_code == 0, result.output
        assert "stored_file_chunk" not in names and snapshot() == before
        # A shared PostgreSQL schema keeps another application's table; a SQLite file is cstier's.
        assert ("other_app_orders" in names) == ON_POSTGRESQL
        db.session.remove()
        db.engine.dispose()


def pg_dump_of_the_test_database(target: Path, *options: str) -> Path:
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", f"--file={target}", *options, url], check=True)
    return target


@pg_only
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--schema-only",), "no rows for alembic_version, account, company, tier_scheme"),
        (("--data-only",), "no table alembic_version, account, company, tier_scheme"),
        (("--table=other_app_orders",), "no table alembic_version, account, company"),
    ],
    ids=["schema-only", "data-only", "another-application"],
)
def test_a_pg_archive_that_is_not_a_full_cstier_backup_is_refused(
    runner, book, tmp_path, options, message
):
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE other_app_orders (id INTEGER PRIMARY KEY)"))
    try:
        source = pg_dump_of_the_test_database(tmp_path / "dump.backup", *options)
        before = snapshot()

        result = invoke(runner, "restore", str(source), "--yes")

        assert result.exit_code == 1
        assert f"{source} is not a cstier backup ({message}" in result.output
        assert "nothing was changed" in result.output
        assert snapshot() == before and len(before) == 3
        assert "other_app_orders" in inspect(db.engine).get_table_names()
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE other_app_orders"))


@pytest.fixture
def failing_create_table(db_session):
    """Make PostgreSQL refuse every CREATE TABLE when called, through an event trigger.

    Call it after the backup: pg_dump would take the trigger's function into the archive.
    """

    def refuse() -> None:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE FUNCTION cstier_test_no_create() RETURNS event_trigger"
                    " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE EVENT TRIGGER cstier_test_no_create ON ddl_command_start"
                    " WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION cstier_test_no_create()"
                )
            )

    yield refuse
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP EVENT TRIGGER IF EXISTS cstier_test_no_create"))
        conn.execute(text("DROP FUNCTION IF EXISTS cstier_test_no_create()"))


@pg_only
def test_a_pg_restore_that_psql_fails_early_ends_with_an_error_and_changes_nothing(
    runner, book, tmp_path, failing_create_table
):
    megabytes = 4  # more than the pipes hold: pg_restore still has SQL to write when psql stops
    db.session.add(
        StoredFile(
            id="big",
            purpose="import_upload",
            filename="big.csv",
            size=0,
            chunks=megabytes,
            sha256="0" * 64,
        )
    )
    db.session.add_all(
        StoredFileChunk(file_id="big", seq=n, data=os.urandom(1024 * 1024))
        for n in range(megabytes)
    )
    db.session.commit()
    path = tmp_path / "cstier.backup"
    assert invoke(runner, "backup", str(path)).exit_code == 0
    assert path.stat().st_size > megabytes * 1024 * 1024
    failing_create_table()
    before = snapshot()
    results = []
    db.session.remove()

    restoring = threading.Thread(  # the CLI runs in its own app context there
        target=lambda: results.append(runner.invoke(args=["db", "restore", str(path), "--yes"])),
        daemon=True,
    )
    restoring.start()
    restoring.join(timeout=120)

    assert not restoring.is_alive(), "the restore hangs after psql failed"
    assert results[0].exit_code == 1
    assert "failed; nothing was changed" in results[0].output and "disk full" in results[0].output
    assert snapshot() == before and len(before) == 3


def test_a_sqlite_path_with_uri_characters_is_backed_up_and_restored(tmp_path):
    folder = tmp_path / "book #1 at 100%"  # a raw `file:` URI stops at `#`
    folder.mkdir()
    own = make_app(f"sqlite:///{folder / 'cstier.sqlite'}", str(tmp_path / "instance"))
    with own.app_context():
        upgrade()
        AccountFactory.create_batch(2)
        before = snapshot()
        runner = own.test_cli_runner()

        backed_up = invoke(runner, "backup", str(folder / "b#2.sqlite"))
        damage_the_book()
        restored = invoke(runner, "restore", str(folder / "b#2.sqlite"), "--yes")

        assert backed_up.exit_code == 0, backed_up.output
        assert restored.exit_code == 0, restored.output
        assert snapshot() == before and len(before) == 2
        db.session.remove()
        db.engine.dispose()


def test_a_backup_file_is_readable_by_its_owner_only(runner, book, tmp_path):
    path = tmp_path / "cstier.backup"
    umask = os.umask(0o022)  # the usual default, which would leave it readable by all
    try:
        result = invoke(runner, "backup", str(path))
    finally:
        os.umask(umask)

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
