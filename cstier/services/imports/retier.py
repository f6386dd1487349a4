"""Re-tier after an import changed the book: on by default, so imported accounts get their tiers."""

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.services.tiering.retier import retier_book
from cstier.store.sizes import BatchSizes


def retier_after_import(session: Session, actor: Actor, sizes: BatchSizes) -> int:
    """Re-tier the book the import touched and return the run's id.

    The run evaluates every account, not only the rows of the file: percentile bands, the
    needs score's shares and hysteresis read the whole book, so a touched account is tiered
    against the book as it now is; only changed tiers are written. A large import's re-tier
    belongs on the job floor (cstier/jobs) once it exists: enqueue this call there instead.
    """
    return retier_book(session, actor, trigger="import", sizes=sizes).run_id
