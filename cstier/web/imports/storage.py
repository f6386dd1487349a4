"""Keep an uploaded file in the instance folder, under a random name, between the import steps."""

import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import abort, current_app
from werkzeug.datastructures import FileStorage

from cstier.services.imports.uploads import remove_abandoned_uploads, upload_folder

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _folder() -> Path:
    return upload_folder(current_app.instance_path)


def save_upload(upload: FileStorage, meta: dict) -> str:
    """Store the upload and its details, first removing abandoned ones; return the token."""
    max_age = timedelta(hours=current_app.config["UPLOAD_MAX_AGE_HOURS"])
    remove_abandoned_uploads(_folder(), max_age)
    token = secrets.token_urlsafe(32)
    upload.save(_folder() / f"{token}.upload")
    (_folder() / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def load_upload(token: str, user_id: int) -> tuple[Path, dict]:
    """Return the stored file and its details, or 404 for a bad, stale or foreign token."""
    if not TOKEN.match(token):
        abort(404)
    meta_path, path = _folder() / f"{token}.json", _folder() / f"{token}.upload"
    if not meta_path.exists() or not path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id:
        abort(404)
    return path, meta


def discard_upload(token: str) -> None:
    """Delete a stored upload once it was applied or abandoned."""
    if TOKEN.match(token):
        for suffix in (".upload", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def upload_files(token: str) -> list[str]:
    """Return the stored files of an upload, for a background import to delete once applied."""
    return [str(_folder() / f"{token}{suffix}") for suffix in (".upload", ".json")]
