"""Read the history of imports."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, sees_whole_book
from cstier.models import ImportRun


def recent_runs(session: Session, actor: Actor, limit: int = 20) -> list[ImportRun]:
    """Return the newest import runs first: all of them, or a CSM's own (files hold other books)."""
    stmt = select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(limit)
    if not sees_whole_book(actor):
        stmt = stmt.where(ImportRun.user_id == actor.user_id)
    return list(session.scalars(stmt))
