"""`cstier db backup` and `cstier db restore`: the book comes back; bad input changes nothing."""

import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, Company
from tests.conftest import make_app
from tests.factories import AccountFactory


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
    """Return backups a restore must refuse: missing, random bytes, cut short, cut at the end."""
    whole = tmp_path / "whole.backup"
    assert invoke(runner, "backup", str(whole)).exit_code == 0
    random_bytes, cut = tmp_path / "random.backup", tmp_path / "cut.backup"
    random_bytes.write_bytes(os.urandom(4096))
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    # Its table of contents reads fine (pg_restore --list): it fails while it is restored.
    end_cut = tmp_path / "end-cut.backup"
    end_cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 99 // 100])
    return {
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


def test_a_restore_drops_tables_added_after_the_backup(runner, book, tmp_path):
    path = tmp_path / "cstier.backup"
    assert invoke(runner, "backup", str(path)).exit_code == 0
    with db.engine.begin() as conn:  # as a later release's migration would
        conn.execute(text("CREATE TABLE added_after_backup (id INTEGER PRIMARY KEY)"))

    result = invoke(runner, "restore", str(path), "--yes")

    assert result.exit_code == 0, result.output
    assert "added_after_backup" not in inspect(db.engine).get_table_names()
    assert len(snapshot()) == 3
