"""Abandoned web uploads are removed after CSTIER_UPLOAD_MAX_AGE_HOURS, by the CLI and by each new upload."""

import io
import os
import time
from pathlib import Path

import pytest

from cstier.services.imports.uploads import upload_folder

HOUR = 3600


@pytest.fixture
def stored(app):
    """Return a function that leaves an upload's two files in the folder, aged some hours."""

    def leave(token: str, hours_old: float) -> list[Path]:
        folder = upload_folder(app.instance_path)
        paths = [folder / f"{token}.upload", folder / f"{token}.json"]
        aged = time.time() - hours_old * HOUR
        for path in paths:
            path.write_text("external_id\n")
            os.utime(path, (aged, aged))
        return paths

    yield leave
    for path in upload_folder(app.instance_path).iterdir():
        path.unlink()


def test_cli_cleanup_removes_only_uploads_past_the_age(runner, stored):
    old = stored("a" * 43, hours_old=25)
    fresh = stored("b" * 43, hours_old=23)
    result = runner.invoke(args=["imports", "cleanup"])
    assert result.exit_code == 0 and "Removed 2 files older than 24 hours" in result.output
    assert not any(p.exists() for p in old) and all(p.exists() for p in fresh)


def test_cli_cleanup_takes_an_age_and_the_setting(runner, stored, app, monkeypatch):
    fresh = stored("c" * 43, hours_old=3)
    assert runner.invoke(args=["imports", "cleanup", "--max-age-hours", "4"]).exit_code == 0
    assert all(p.exists() for p in fresh)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_AGE_HOURS", 2)
    assert "Removed 2 files" in runner.invoke(args=["imports", "cleanup"]).output
    assert not any(p.exists() for p in fresh)


def test_a_new_upload_removes_abandoned_ones(client, auth, manager, stored):
    old = stored("d" * 43, hours_old=48)
    auth.login(manager.email)
    data = {"kind": "accounts", "encoding": "", "file": (io.BytesIO(b"external_id\n"), "a.csv")}
    response = client.post("/imports/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert not any(p.exists() for p in old)
    assert client.get(response.headers["Location"]).status_code == 200  # its own upload stays
