"""Tell the workspace's admins by email when scheduled or background work fails."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.models import User
from cstier.notify.email import Email, send_emails

log = logging.getLogger(__name__)


def admin_addresses(session: Session) -> tuple[str, ...]:
    """Return the email addresses of the active admins."""
    stmt = select(User.email).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
    return tuple(session.scalars(stmt))


def tell_operators(session: Session, subject: str, text: str) -> bool:
    """Email the admins; a mail server that fails is logged, never raised into the job's bookkeeping."""
    to = admin_addresses(session)
    if not to:
        log.warning("no active admin to tell: %s", subject)
        return False
    try:
        send_emails([Email(to=to, subject=f"[cstier] {subject}", text=text)])
        return True
    except Exception:  # SMTP errors of every kind: the failure stays visible on the jobs page
        log.exception("could not email the admins: %s", subject)
        return False
