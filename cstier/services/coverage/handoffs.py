"""Handoffs: both CSMs see the change of owner until it is marked done."""

from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Account, Handoff
from cstier.models.base import utcnow
from cstier.services import audit
from cstier.services.errors import Forbidden, NotFound
from cstier.services.paging import Page, read_entity_page
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write


def list_handoffs(session: Session, actor: Actor, *, open_only: bool = True) -> list[Handoff]:
    """Return handoffs the actor takes part in (CSMs) or all of them (everyone else), due first."""
    return list(session.scalars(_handoffs(actor, open_only).limit(500)))


def handoffs_page(
    session: Session, actor: Actor, offset: int, size: int, *, open_only: bool = True
) -> Page:
    """Return one page of the handoffs list_handoffs reads, due first, counted as the pager needs."""
    return read_entity_page(session, _handoffs(actor, open_only), offset, size)


def _handoffs(actor: Actor, open_only: bool) -> Select:
    stmt = select(Handoff).options(joinedload(Handoff.from_csm), joinedload(Handoff.to_csm))
    if actor.role == "csm":
        stmt = stmt.where(
            or_(Handoff.from_csm_id == actor.user_id, Handoff.to_csm_id == actor.user_id)
        )
    if open_only:
        stmt = stmt.where(Handoff.done_at.is_(None))
    return stmt.order_by(Handoff.due_date, Handoff.id)


def account_names(session: Session, handoffs: list[Handoff]) -> dict[int, str]:
    """Return account names for a list of handoffs."""
    ids = {h.account_id for h in handoffs}
    if not ids:
        return {}
    return dict(session.execute(select(Account.id, Account.name).where(Account.id.in_(ids))).all())


def get_handoff(session: Session, handoff_id: int) -> Handoff:
    """Return a handoff, or raise NotFound."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"No handoff with id {handoff_id}.")
    return handoff


def can_complete(actor: Actor, handoff: Handoff) -> bool:
    """Return whether the actor may mark the handoff done: a CSM in it, or a manager."""
    involved = actor.user_id in (handoff.from_csm_id, handoff.to_csm_id)
    return can_manage_book(actor) or (actor.role == "csm" and involved)


def complete_handoff(
    session: Session,
    actor: Actor,
    handoff_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> Handoff:
    """Mark a handoff done: either CSM in it, or a manager."""
    with unit_of_work(session):
        handoff = get_handoff(session, handoff_id)
        if not can_complete(actor, handoff):
            raise Forbidden("Only the CSMs in a handoff, or a manager, can mark it done.")
        check_version(handoff, expected_version, "handoff")
        if handoff.done_at is None:
            with guarded_write(session, "handoff"):
                handoff.done_at = now or utcnow()
            audit.record(
                session,
                actor_id=actor.user_id,
                entity_type="handoff",
                entity_id=handoff.id,
                action="complete",
                before=None,
                after={"account_id": handoff.account_id},
            )
    return handoff
