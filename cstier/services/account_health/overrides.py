"""A manager's health band for an account, with a reason and an expiry."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.health.scorecard import BANDS
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import HealthOverride
from cstier.models.base import utcnow
from cstier.services.accounts import get_account
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work


def _refuse(field: str, message: str) -> None:
    raise ValidationFailed(f"{field}: {message}", {field: [message]})


def set_override(
    session: Session, actor: Actor, account_id: int, values: dict, now: datetime | None = None
) -> HealthOverride:
    """Pin an account's band until expiry (managers); refuse an unknown band or a past expiry."""
    now = now or utcnow()
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins override health.")
        get_account(session, actor, account_id)
        if values.get("band") not in BANDS:
            _refuse("band", f"must be one of {', '.join(BANDS)}")
        reason = (values.get("reason") or "").strip()
        if not reason:
            _refuse("reason", "say why the band is overridden")
        expires_on = values.get("expires_on")
        if expires_on is not None and (
            not isinstance(expires_on, date) or expires_on <= now.date()
        ):
            _refuse("expires_on", "must be a day after today")
        for live in live_overrides(session, account_id, now.date()):
            live.revoked_at = now  # one override holds at a time: the new one replaces it
        override = HealthOverride(
            account_id=account_id,
            band=values["band"],
            reason=reason,
            expires_on=expires_on,
            created_by_id=actor.user_id,
            created_at=now,
        )
        session.add(override)
        session.flush()
    return override


def revoke_override(
    session: Session, actor: Actor, account_id: int, override_id: int, now: datetime | None = None
) -> None:
    """End one of the account's overrides now (managers)."""
    now = now or utcnow()
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins revoke overrides.")
        override = session.get(HealthOverride, override_id)
        if override is None or override.account_id != account_id or override.revoked_at is not None:
            raise NotFound("No such live override.")
        override.revoked_at = now


def live_overrides(session: Session, account_id: int, today: date) -> list[HealthOverride]:
    """Return the account's overrides that hold today."""
    return list(
        session.scalars(
            select(HealthOverride).where(
                HealthOverride.account_id == account_id,
                HealthOverride.revoked_at.is_(None),
                (HealthOverride.expires_on.is_(None)) | (HealthOverride.expires_on > today),
            )
        )
    )
