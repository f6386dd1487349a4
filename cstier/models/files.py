"""Files kept in the database so every web host and the job process read the same bytes."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow


class StoredFile(db.Model):
    """A file under a random token: an import upload kept between the mapping and the apply."""

    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # unguessable token
    purpose: Mapped[str] = mapped_column(String(30), index=True)  # import_upload
    filename: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    size: Mapped[int] = mapped_column(BigInteger)
    chunks: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class StoredFileChunk(db.Model):
    """One piece of a stored file, so neither writing nor reading holds the whole file."""

    __tablename__ = "stored_file_chunk"

    file_id: Mapped[str] = mapped_column(
        ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
