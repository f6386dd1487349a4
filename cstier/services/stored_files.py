"""Keep files in the database in chunks, so any web host and the job process can read them."""

import hashlib
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cstier.models import StoredFile, StoredFileChunk
from cstier.models.base import utcnow
from cstier.services.errors import NotFound
from cstier.services.unit_of_work import unit_of_work

CHUNK_BYTES = 1024 * 1024  # one row per MB: neither side holds a whole 50 MB upload


def store_file(
    session: Session,
    stream: BinaryIO,
    *,
    purpose: str,
    filename: str,
    owner_id: int | None,
    details: Mapping,
    now: datetime | None = None,
) -> str:
    """Copy the stream into the database under a new random token, all or nothing; return it."""
    token = secrets.token_urlsafe(32)
    digest, size, seq = hashlib.sha256(), 0, 0
    with unit_of_work(session):
        # The file row first, so the chunks' foreign key finds it; sizes are set at the end.
        session.execute(
            insert(StoredFile).values(
                id=token,
                purpose=purpose,
                filename=filename[:255],
                owner_id=owner_id,
                details=dict(details),
                size=0,
                chunks=0,
                sha256="",
                created_at=now or utcnow(),
            )
        )
        while chunk := stream.read(CHUNK_BYTES):
            session.execute(insert(StoredFileChunk).values(file_id=token, seq=seq, data=chunk))
            digest.update(chunk)
            size, seq = size + len(chunk), seq + 1
        stored = session.get(StoredFile, token)
        stored.size, stored.chunks, stored.sha256 = size, seq, digest.hexdigest()
    return token


def find_file(session: Session, token: str, purpose: str) -> StoredFile | None:
    """Return the stored file with this token and purpose, or None."""
    stored = session.get(StoredFile, token)
    return stored if stored is not None and stored.purpose == purpose else None


@contextmanager
def local_copy(
    session: Session, stored: StoredFile, gone: str = "The stored file is gone."
) -> Iterator[Path]:
    """Write the stored file to a temporary file of this host for the readers that need a path.

    The copy is deleted when the block ends; the database keeps the file. NotFound if the
    file was deleted meanwhile (by another host's clean-up, say), with the message gone.
    """
    handle = tempfile.NamedTemporaryFile(prefix="cstier-file-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle, unit_of_work(session):
            for seq in range(stored.chunks):
                data = session.scalar(
                    select(StoredFileChunk.data).where(
                        StoredFileChunk.file_id == stored.id, StoredFileChunk.seq == seq
                    )
                )
                if data is None:
                    raise NotFound(gone)
                handle.write(data)
        yield path
    finally:
        path.unlink(missing_ok=True)


def discard_file(session: Session, token: str) -> None:
    """Delete a stored file and its chunks (nothing happens if it is already gone)."""
    with unit_of_work(session):
        session.execute(delete(StoredFileChunk).where(StoredFileChunk.file_id == token))
        session.execute(delete(StoredFile).where(StoredFile.id == token))


def remove_old_files(
    session: Session, purpose: str, max_age: timedelta, now: datetime | None = None
) -> int:
    """Delete the files of a purpose stored more than max_age ago; return how many went."""
    cutoff = (now or utcnow()) - max_age
    old = select(StoredFile.id).where(StoredFile.purpose == purpose, StoredFile.created_at < cutoff)
    with unit_of_work(session):
        session.execute(delete(StoredFileChunk).where(StoredFileChunk.file_id.in_(old)))
        removed = session.execute(delete(StoredFile).where(StoredFile.id.in_(old))).rowcount
    return removed
