"""Manual tier overrides: a manager pins a tier with a reason and an optional expiry."""

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book, sees_whole_book
from cstier.models import Account, TierOverride
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.paging import Page, read_entity_page
from cstier.services.tiering.schemes import get_scheme, validate
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write


def create_override(
    session: Session,
    actor: Actor,
    *,
    account_id: int,
    scheme_id: int,
    tier: str,
    reason: str,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> TierOverride:
    """Pin an account's tier in one scheme; the next run applies it until it expires."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins override tiers.")
        now = now or utcnow()
        if session.get(Account, account_id) is None:
            raise NotFound(f"No account with id {account_id}.")
        scheme = get_scheme(session, scheme_id)
        tiers = validate(session, scheme.current.definition).tiers
        errors: dict[str, list[str]] = {}
        if tier not in tiers:
            errors["tier"] = [f"Choose one of the scheme's tiers: {', '.join(tiers)}."]
        if not (reason or "").strip():
            errors["reason"] = ["Say why this account is overridden."]
        if expires_at is not None and expires_at <= now:
            errors["expires_at"] = ["The expiry must be in the future."]
        if errors:
            raise ValidationFailed("The override was not saved.", errors)
        override = TierOverride(
            account_id=account_id,
            scheme_id=scheme.id,
            tier=tier,
            reason=reason.strip(),
            expires_at=expires_at,
            created_by_id=actor.user_id,
            created_at=now,
        )
        session.add(override)
    return override


def revoke_override(
    session: Session, actor: Actor, override_id: int, expected_version: int
) -> TierOverride:
    """End an override now; the next run re-tiers the account by the rules."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins revoke overrides.")
        override = session.get(TierOverride, override_id)
        if override is None:
            raise NotFound(f"No override with id {override_id}.")
        check_version(override, expected_version, "override")
        with guarded_write(session, "override"):
            override.revoked_at = utcnow()
    return override


def _live(now: datetime):
    return (
        select(TierOverride)
        .where(
            TierOverride.revoked_at.is_(None),
            or_(TierOverride.expires_at.is_(None), TierOverride.expires_at > now),
        )
        .order_by(TierOverride.created_at.desc(), TierOverride.id.desc())  # a stable page order
    )


def live_overrides(session: Session, account_id: int | None = None, now: datetime | None = None):
    """Return overrides that are neither revoked nor expired, newest first."""
    stmt = _live(now or utcnow())
    if account_id is not None:
        stmt = stmt.where(TierOverride.account_id == account_id)
    return list(session.scalars(stmt))


def overrides_in_book(session: Session, actor: Actor, now: datetime | None = None):
    """Return the live overrides on accounts the actor may see (a CSM: their book), newest first."""
    return list(session.scalars(_in_book(_live(now or utcnow()), actor)))


def overrides_page(
    session: Session,
    actor: Actor,
    offset: int,
    size: int,
    expiring_days: int | None = None,
    now: datetime | None = None,
) -> Page:
    """Return one page of the live overrides the actor may see, newest first.

    With `expiring_days`, only those that expire within that many days, soonest first.
    """
    now = now or utcnow()
    stmt = _in_book(_live(now), actor)
    if expiring_days is not None:
        stmt = stmt.where(TierOverride.expires_at <= now + timedelta(days=expiring_days))
        stmt = stmt.order_by(None).order_by(TierOverride.expires_at, TierOverride.id)
    return read_entity_page(session, stmt, offset, size)


def _in_book(stmt, actor: Actor):
    if sees_whole_book(actor):
        return stmt
    return stmt.join(Account, Account.id == TierOverride.account_id).where(
        Account.csm_id == actor.user_id
    )
