"""Scorecards: the default one seeded, others per coverage model or value tier, edited by managers.

Precedence: an account's coverage model's scorecard, else its value tier's, else the default.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.health.scorecard import (
    DEFAULT_SCORECARD,
    SCOPES,
    ScorecardInvalid,
    parse_scorecard,
    precedence,
)
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Scorecard
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write


def ensure_default_scorecard(session: Session) -> int:
    """Create the default scorecard when there is none; return how many were created."""
    if session.scalar(select(Scorecard.id).where(Scorecard.scope == "default")):
        return 0
    session.add(
        Scorecard(name="Default", scope="default", scope_key="", definition=DEFAULT_SCORECARD)
    )
    session.flush()
    return 1


def list_scorecards(session: Session) -> list[Scorecard]:
    """Return every scorecard in precedence order."""
    cards = list(session.scalars(select(Scorecard)))
    return sorted(cards, key=lambda c: (precedence(c.scope), c.scope_key))


def get_scorecard(session: Session, scorecard_id: int) -> Scorecard:
    """Return one scorecard or raise NotFound."""
    card = session.get(Scorecard, scorecard_id)
    if card is None:
        raise NotFound("No such scorecard.")
    return card


def _checked(values: dict) -> dict:
    try:
        parse_scorecard(values.get("definition"))
    except ScorecardInvalid as exc:
        raise ValidationFailed(str(exc), {exc.field: [str(exc)]}) from None
    if values.get("scope") not in SCOPES:
        raise ValidationFailed("scope: unknown", {"scope": [f"must be one of {', '.join(SCOPES)}"]})
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            "name: required", {"name": ["give a name of at most 120 characters"]}
        )
    key = (values.get("scope_key") or "").strip() if values["scope"] != "default" else ""
    if values["scope"] != "default" and not key:
        message = "name the coverage model key or value tier this scorecard serves"
        raise ValidationFailed(f"scope_key: {message}", {"scope_key": [message]})
    return {"name": name, "scope": values["scope"], "scope_key": key,
            "definition": values["definition"]}  # fmt: skip


def save_scorecard(
    session: Session,
    actor: Actor,
    scorecard_id: int | None,
    values: dict,
    expected_version: int | None = None,
) -> Scorecard:
    """Create or replace a scorecard (managers); refuse weights not summing to 100 % and the like."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit scorecards.")
        clean = _checked(values)
        taken = session.scalar(
            select(Scorecard.id).where(
                Scorecard.scope == clean["scope"], Scorecard.scope_key == clean["scope_key"]
            )
        )
        if taken is not None and taken != scorecard_id:
            message = "another scorecard already serves this scope"
            raise ValidationFailed(f"scope_key: {message}", {"scope_key": [message]})
        if scorecard_id is None:
            card = Scorecard(**clean)
            session.add(card)
            with guarded_write(session, "scorecard", key_race=True):
                pass
            return card
        card = get_scorecard(session, scorecard_id)
        if card.scope == "default" and clean["scope"] != "default":
            message = "the default scorecard stays the default"
            raise ValidationFailed(f"scope: {message}", {"scope": [message]})
        check_version(card, expected_version, "scorecard")
        with guarded_write(session, "scorecard", key_race=True):
            for name, value in clean.items():
                setattr(card, name, value)
            card.updated_at = utcnow()
    return card
