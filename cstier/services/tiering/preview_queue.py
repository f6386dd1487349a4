"""Ask for a what-if preview of a draft scheme: checked now, computed by a background job."""

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import BackgroundJob
from cstier.services.errors import Forbidden
from cstier.services.jobs import background
from cstier.services.tiering.schemes import get_scheme, validate

PREVIEW_REFUSAL = "Only managers and admins preview tier schemes."


def queue_preview(
    session: Session, actor: Actor, scheme_id: int, definition: dict
) -> BackgroundJob:
    """Queue a preview of a draft of a scheme (managers and admins); nothing else is saved.

    Raise NotFound for an unknown scheme and ValidationFailed for an invalid draft, before
    anything is queued.
    """
    if not can_manage_book(actor):
        raise Forbidden(PREVIEW_REFUSAL)
    get_scheme(session, scheme_id)
    validate(session, definition)
    return background.enqueue(
        session, actor, "preview", {"scheme_id": scheme_id, "definition": definition}
    )
