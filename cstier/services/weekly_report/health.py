"""The health signal the at-risk section asks for red accounts; none exists yet, and it says so."""

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session


class HealthSignal(Protocol):
    """Where red health scores come from; `red_accounts` returns None when there are none to ask."""

    note: str

    def red_accounts(self, session: Session, as_of: datetime) -> list[int] | None:
        """Return the ids of accounts whose health is red at as_of, or None if not available."""


class NoHealthScores:
    """The signal until health scores exist: not available, never an empty 'all healthy'."""

    note = "Health scores are not available yet."

    def red_accounts(self, session: Session, as_of: datetime) -> list[int] | None:
        """Return None: there are no health scores to read."""
        return None


# The health issue replaces this with its own signal; the report needs nothing else.
HEALTH_SIGNAL: HealthSignal = NoHealthScores()
