"""Keep an uploaded file in the database, under a random token, between the import steps.

Any web host can serve the next step and the scheduler can apply it; a page that reads the
file gets a copy on this host that is deleted when the request ends.
"""

import re
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from flask import abort, current_app, g
from werkzeug.datastructures import FileStorage

from cstier.extensions import db
from cstier.services.errors import NotFound
from cstier.services.imports import uploads

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def save_upload(upload: FileStorage, meta: dict) -> str:
    """Store the upload and its details, first removing abandoned ones; return the token."""
    return uploads.keep_upload(
        db.session,
        upload.stream,
        meta,
        owner_id=meta["user_id"],
        max_age=timedelta(hours=current_app.config["UPLOAD_MAX_AGE_HOURS"]),
    )


def load_upload(token: str, user_id: int) -> tuple[Path, dict]:
    """Return a copy of the stored file and its details, or 404 for a bad, stale or foreign token."""
    if not TOKEN.match(token):
        abort(404)
    try:
        meta = uploads.upload_details(db.session, token, user_id)
    except NotFound:
        abort(404)
    if "upload_copies" not in g:
        g.upload_copies = ExitStack()
    return g.upload_copies.enter_context(uploads.upload_copy(db.session, token)), meta


def release_upload_copies(_exc: BaseException | None = None) -> None:
    """Delete this request's copies of stored uploads (the database keeps the files)."""
    copies = g.pop("upload_copies", None)
    if copies is not None:
        copies.close()


def discard_upload(token: str) -> None:
    """Delete a stored upload once it was applied or abandoned."""
    if TOKEN.match(token):
        uploads.discard_upload(db.session, token)
