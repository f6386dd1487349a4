"""Is the database reachable?"""

import logging

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def database_ok(session: Session) -> bool:
    """Return True when a trivial query answers."""
    try:
        session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not reachable" to a health check
        log.exception("health check: database unreachable")
        session.rollback()
        return False
