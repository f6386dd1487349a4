"""Abandoned web uploads are removed after CSTIER_UPLOAD_MAX_AGE_HOURS, by the CLI and by each new upload."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import StoredFile, StoredFileChunk
from cstier.models.base import utcnow
from cstier.services.errors import NotFound
from cstier.services.imports.uploads import keep_upload, upload_details


@pytest.fixture
def stored(db_session, manager):
    """Return a function that leaves an upload in the database, stored some hours ago."""

    def leave(hours_old: float) -> str:
        return keep_upload(
            db_session,
            io.BytesIO(b"external_id\n"),
            {"kind": "accounts", "filename": "a.csv", "encoding": None, "user_id": manager.id},
            owner_id=manager.id,
            max_age=timedelta(days=365),
            now=utcnow() - timedelta(hours=hours_old),
        )

    return leave


def kept(token: str) -> bool:
    try:
        upload_details(db.session, token, None)
    except NotFound:
        return False
    return True


def test_cli_cleanup_removes_only_uploads_past_the_age(runner, stored):
    old, fresh = stored(hours_old=25), stored(hours_old=23)
    result = runner.invoke(args=["imports", "cleanup"])
    assert result.exit_code == 0 and "Removed 1 uploads older than 24 hours" in result.output
    assert not kept(old) and kept(fresh)
    assert db.session.scalar(select(func.count()).select_from(StoredFileChunk)) == 1


def test_cli_cleanup_takes_an_age_and_the_setting(runner, stored, app, monkeypatch):
    fresh = stored(hours_old=3)
    assert runner.invoke(args=["imports", "cleanup", "--max-age-hours", "4"]).exit_code == 0
    assert kept(fresh)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_AGE_HOURS", 2)
    assert "Removed 1 uploads" in runner.invoke(args=["imports", "cleanup"]).output
    assert not kept(fresh)


def test_a_new_upload_removes_abandoned_ones(client, auth, manager, stored):
    old = stored(hours_old=48)
    auth.login(manager.email)
    data = {"kind": "accounts", "encoding": "", "file": (io.BytesIO(b"external_id\n"), "a.csv")}
    response = client.post("/imports/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert not kept(old)
    assert client.get(response.headers["Location"]).status_code == 200  # its own upload stays
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1
