"""Read the history of imports."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.models import ImportRun


def recent_runs(session: Session, limit: int = 20) -> list[ImportRun]:
    """Return the newest import runs first."""
    stmt = select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(limit)
    return list(session.scalars(stmt))
