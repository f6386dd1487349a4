"""The health signal the at-risk section asks for red accounts: the latest stored scores."""

from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.models import HealthScore


class HealthSignal(Protocol):
    """Where red health scores come from; `red_accounts` returns None when there are none to ask."""

    note: str

    def red_accounts(self, session: Session, as_of: datetime) -> list[int] | None:
        """Return the ids of accounts whose health is red at as_of, or None if not available."""


class StoredHealthScores:
    """Red accounts by the last scoring day on or before the report's end."""

    note = "Health scores are not available yet: no account has been scored by the end of the week."

    def red_accounts(self, session: Session, as_of: datetime) -> list[int] | None:
        """Return the accounts banded red on the last day scored by as_of; None if never scored."""
        day = session.scalar(
            select(func.max(HealthScore.scored_on)).where(HealthScore.scored_on <= as_of.date())
        )
        if day is None:
            return None
        red = select(HealthScore.account_id).where(
            HealthScore.scored_on == day, HealthScore.band == "red"
        )
        return list(session.scalars(red))


HEALTH_SIGNAL: HealthSignal = StoredHealthScores()
