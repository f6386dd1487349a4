"""Failed sign-ins counted in the database: one atomic upsert per scope, undone by a rollback.

A window starts with the first failure of its key and lasts its window seconds. Parallel
attempts queue on the counter row, so each sees its own number.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import DateTime as SqlDateTime
from sqlalchemy import case, delete, literal, update
from sqlalchemy.orm import Session

from cstier.models import LoginFailureCount
from cstier.store.upserts import upsert_returning

PAIR, ADDRESS, EMAIL, TURN = "pair", "address", "email", "turn"


class Counted(NamedTuple):
    """What counting one attempt found: the scope that refuses it, or the email's failures."""

    refused: str | None  # PAIR or ADDRESS when past its limit
    window_ends_at: datetime | None  # when the refusing window ends
    email_failures: int


class LoginCounts(Protocol):
    """Where failed sign-ins are counted: the database, or Redis shared by every web host."""

    def count(
        self,
        keys: Mapping[str, str],
        limits: Mapping[str, int],
        windows: Mapping[str, int],
        now: datetime,
    ) -> Counted:
        """Count one attempt per scope; past a pair or address limit, count none of it."""

    def take_turn(self, key: str, turn_seconds: float, now: datetime) -> datetime:
        """Start the key's next turn now if the last one is over; return when the current began.

        Parallel attempts each get an answer: exactly one of them gets a turn that is over.
        """

    def forgive(self, keys: Mapping[str, str]) -> None:
        """Give back one failure of each scope (the password was right)."""

    def forget_old(self, longest_window_seconds: int, now: datetime) -> None:
        """Drop counters whose windows ended."""


class DatabaseLoginCounts:
    """Counters in `login_failure_count`, inside the caller's transaction.

    The caller commits after `count` returns and rolls back when the attempt is refused, so a
    refused attempt is not counted.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def count(
        self,
        keys: Mapping[str, str],
        limits: Mapping[str, int],
        windows: Mapping[str, int],
        now: datetime,
    ) -> Counted:
        """Count one attempt per scope in order; stop at the first scope past its limit."""
        for scope in (PAIR, ADDRESS):
            failures, started = self._increment(scope, keys[scope], windows[scope], now)
            if failures > limits[scope]:
                return Counted(scope, started + timedelta(seconds=windows[scope]), 0)
        failures, _ = self._increment(EMAIL, keys[EMAIL], windows[EMAIL], now)
        return Counted(None, None, failures)

    def take_turn(self, key: str, turn_seconds: float, now: datetime) -> datetime:
        """Start the key's next turn now if the last one is over; return when the current began.

        Parallel attempts queue on the row: exactly one of them gets a turn that is over.
        """
        return self._bump(TURN, key, turn_seconds, now, restart_count=False)[1]

    def forgive(self, keys: Mapping[str, str]) -> None:
        """Give back one failure of each scope, never below zero."""
        for scope, key in keys.items():
            self._session.execute(
                update(LoginFailureCount)
                .where(
                    LoginFailureCount.scope == scope,
                    LoginFailureCount.key == key,
                    LoginFailureCount.failures > 0,
                )
                .values(failures=LoginFailureCount.failures - 1)
            )

    def forget_old(self, longest_window_seconds: int, now: datetime) -> None:
        """Delete the counters whose windows ended, so keys tried once do not pile up."""
        self._session.execute(
            delete(LoginFailureCount).where(
                LoginFailureCount.window_started_at
                < now - timedelta(seconds=longest_window_seconds)
            )
        )

    def _increment(
        self, scope: str, key: str, window_seconds: int, now: datetime
    ) -> tuple[int, datetime]:
        """Add one failure to the key's window (a new one if it expired); return count and start."""
        return self._bump(scope, key, window_seconds, now, restart_count=True)

    def _bump(
        self, scope: str, key: str, seconds: float, now: datetime, restart_count: bool
    ) -> tuple[int, datetime]:
        """Count one more on the key's row, starting its window anew when `seconds` have passed."""
        table = LoginFailureCount.__table__
        over = table.c.window_started_at <= literal(
            now - timedelta(seconds=seconds), SqlDateTime(timezone=True)
        )
        counted = table.c.failures + 1
        failures, started = upsert_returning(
            self._session,
            table,
            {"scope": scope, "key": key, "window_started_at": now, "failures": 1},
            [table.c.scope, table.c.key],
            lambda proposed: {
                "failures": case((over, 1), else_=counted) if restart_count else counted,
                "window_started_at": case(
                    (over, proposed.window_started_at), else_=table.c.window_started_at
                ),
            },
            [table.c.failures, table.c.window_started_at],
        )
        return failures, started if started.tzinfo else started.replace(tzinfo=UTC)
