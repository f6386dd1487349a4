"""Keep web import uploads in the database between the steps; remove the ones never applied."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from cstier.services import stored_files
from cstier.services.errors import NotFound

PURPOSE = "import_upload"
GONE = (
    "The uploaded file is gone (uploads never applied are removed after "
    "CSTIER_UPLOAD_MAX_AGE_HOURS): upload it again."
)


def keep_upload(
    session: Session,
    stream: BinaryIO,
    details: Mapping,
    *,
    owner_id: int,
    max_age: timedelta,
    now: datetime | None = None,
) -> str:
    """Store an uploaded file with its details, first removing abandoned ones; return its token."""
    remove_abandoned_uploads(session, max_age, now)
    return stored_files.store_file(
        session,
        stream,
        purpose=PURPOSE,
        filename=details.get("filename") or "upload",
        owner_id=owner_id,
        details=details,
        now=now,
    )


def upload_details(session: Session, token: str, owner_id: int | None) -> dict:
    """Return an upload's details; NotFound if it is gone or (with owner_id) someone else's."""
    stored = stored_files.find_file(session, token, PURPOSE)
    if stored is None or (owner_id is not None and stored.owner_id != owner_id):
        raise NotFound("That upload is gone: upload the file again.")
    return dict(stored.details)


@contextmanager
def upload_copy(session: Session, token: str) -> Iterator[Path]:
    """Yield the upload as a file on this host for the import readers; NotFound if it is gone."""
    stored = stored_files.find_file(session, token, PURPOSE)
    if stored is None:
        raise NotFound(GONE)
    with stored_files.local_copy(session, stored, GONE) as path:
        yield path


def discard_upload(session: Session, token: str) -> None:
    """Delete an upload once it was applied or found unreadable."""
    stored_files.discard_file(session, token)


def remove_abandoned_uploads(
    session: Session, max_age: timedelta, now: datetime | None = None
) -> int:
    """Delete the uploads stored more than max_age ago; return how many went."""
    return stored_files.remove_old_files(session, PURPOSE, max_age, now)
