"""What-if previews of draft schemes: the stored outcome and the accounts each would move."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow


class SchemePreview(db.Model):
    """A draft scheme's outcome over the whole book, computed once by a background job."""

    __tablename__ = "scheme_preview"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("tier_scheme.id", ondelete="CASCADE"), index=True
    )
    based_on_version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSONType)
    # Counts, the from → to matrix, headcount and coverage changes, as the result page shows them.
    summary: Mapped[dict] = mapped_column(JSONType)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PreviewMove(db.Model):
    """One account a previewed draft would move, numbered from 1 largest ARR first."""

    __tablename__ = "preview_move"

    preview_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_preview.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)  # no foreign key: a preview is a record
    from_tier: Mapped[str | None] = mapped_column(String(60))
    to_tier: Mapped[str] = mapped_column(String(60))
    arr_cents: Mapped[int] = mapped_column(BigInteger)
