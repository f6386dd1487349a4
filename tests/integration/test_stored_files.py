"""Files stored in the database come back byte for byte, in chunks, and go away whole."""

import hashlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from cstier.models import StoredFile, StoredFileChunk
from cstier.services import stored_files
from cstier.services.errors import NotFound


def tempfile_dir() -> Path:
    return Path(tempfile.gettempdir())


def test_a_file_of_several_chunks_comes_back_byte_for_byte(db_session, manager):
    content = os.urandom(stored_files.CHUNK_BYTES * 2 + 123)
    token = stored_files.store_file(
        db_session,
        io.BytesIO(content),
        purpose="test",
        filename="big.bin",
        owner_id=manager.id,
        details={"kind": "accounts"},
    )

    stored = stored_files.find_file(db_session, token, "test")
    with stored_files.local_copy(db_session, stored) as path:
        assert path.read_bytes() == content
    assert not path.exists()  # the host's copy goes; the database keeps the file
    assert (stored.size, stored.chunks) == (len(content), 3)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_files.find_file(db_session, token, "another purpose") is None


def test_an_empty_file_is_stored_and_discarding_removes_every_chunk(db_session, manager):
    empty = stored_files.store_file(
        db_session, io.BytesIO(b""), purpose="test", filename="e", owner_id=None, details={}
    )
    full = stored_files.store_file(
        db_session, io.BytesIO(b"x" * 10), purpose="test", filename="f", owner_id=None, details={}
    )
    with stored_files.local_copy(
        db_session, stored_files.find_file(db_session, empty, "test")
    ) as p:
        assert p.read_bytes() == b""

    stored_files.discard_file(db_session, full)
    stored_files.discard_file(db_session, full)  # already gone: nothing happens

    assert db_session.scalar(select(func.count()).select_from(StoredFileChunk)) == 0
    assert db_session.scalars(select(StoredFile.id)).all() == [empty]


def test_a_failed_store_leaves_nothing(db_session, manager):
    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= stored_files.CHUNK_BYTES:
                raise OSError("the client went away")
            return super().read(size)

    with pytest.raises(OSError, match="went away"):
        stored_files.store_file(
            db_session,
            Broken(b"y" * (stored_files.CHUNK_BYTES + 5)),
            purpose="test",
            filename="b",
            owner_id=None,
            details={},
        )

    assert db_session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert db_session.scalar(select(func.count()).select_from(StoredFileChunk)) == 0


def test_a_file_deleted_while_it_is_opened_is_reported_gone_and_leaves_no_copy(db_session, manager):
    """Another host's clean-up may delete the chunks between finding the file and copying it."""
    token = stored_files.store_file(
        db_session, io.BytesIO(b"x" * 10), purpose="test", filename="f", owner_id=None, details={}
    )
    stored = stored_files.find_file(db_session, token, "test")
    db_session.execute(delete(StoredFileChunk).where(StoredFileChunk.file_id == token))
    db_session.commit()

    copies = set(tempfile_dir().glob("cstier-file-*"))
    gone = stored_files.local_copy(db_session, stored, "gone: upload it again")
    with pytest.raises(NotFound, match="upload it again"), gone:
        pass
    assert set(tempfile_dir().glob("cstier-file-*")) == copies
