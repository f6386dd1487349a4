"""Count failed sign-ins atomically: per (email, address), per address and per email.

Each attempt is counted before its password is checked ("increment first, then decide"):
the counter is bumped in one INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so parallel
attempts queue on the counter row and each sees its own number; a right password gives its
count back. A window starts with the first failure of its key and lasts window seconds.

Past the per-email limit, the email takes one attempt per turn, and each failure past the
limit lengthens the turn (up to a cap): an attempt before its turn is refused at once,
unchecked, so a burst from many addresses guesses no faster than one per turn and holds no
web worker asleep. An address the user has signed in from before skips the turns, so an
attack on an email does not lock its owner out (docs/scaling.md, "Bad load").
"""

import hashlib
import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, case, delete, literal, select, update
from sqlalchemy.orm import Session

from cstier.models import LoginAttempt, LoginFailureCount
from cstier.services.errors import TooManyAttempts
from cstier.store.upserts import upsert_returning

PAIR, ADDRESS, EMAIL, TURN = "pair", "address", "email", "turn"


@dataclass(frozen=True)
class LoginLimits:
    """How many failures each scope allows, and how the per-email turn grows past its limit."""

    per_pair: int = 5
    per_address: int = 50
    window_seconds: int = 900
    per_email: int = 100
    email_window_seconds: int = 3600
    slowdown_step_seconds: float = 0.25
    slowdown_max_seconds: float = 5.0

    @classmethod
    def from_config(cls, config: Mapping) -> "LoginLimits":
        """Read the limits from the app's LOGIN_* settings."""
        return cls(
            per_pair=config["LOGIN_MAX_FAILURES_PER_PAIR"],
            per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
            per_email=config["LOGIN_MAX_FAILURES_PER_EMAIL"],
            email_window_seconds=config["LOGIN_EMAIL_WINDOW_SECONDS"],
            slowdown_step_seconds=config["LOGIN_SLOWDOWN_STEP_MS"] / 1000,
            slowdown_max_seconds=config["LOGIN_SLOWDOWN_MAX_MS"] / 1000,
        )


def client_network(address: str | None) -> str:
    """Return what one client controls: its IPv4 address, or the /64 of its IPv6 address.

    One IPv6 host is usually given a whole /64; counting its addresses one by one would let
    it try from a fresh address every time.
    """
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def subjects(email: str, address: str | None) -> dict[str, str]:
    """Return the counter key of each scope; keys are hashed so any input fits the column."""
    address = client_network(address)
    raw = {PAIR: f"{email}\n{address}", ADDRESS: address, EMAIL: email, TURN: email}
    return {
        scope: hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        for scope, text in raw.items()
    }


def count_attempt(
    session: Session, limits: LoginLimits, email: str, address: str | None, now: datetime
) -> None:
    """Count one attempt in every scope; refuse it past a limit or before the email's turn.

    The caller commits after this returns and rolls back when it raises, so a refused attempt
    is not counted at all and a counted one is visible to every other worker.
    """
    keys = subjects(email, address)
    for scope, limit in ((PAIR, limits.per_pair), (ADDRESS, limits.per_address)):
        failures, started = _increment(session, scope, keys[scope], limits.window_seconds, now)
        if failures > limit:
            wait = started + timedelta(seconds=limits.window_seconds) - now
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            source = "for this account from your address" if scope == PAIR else "from your address"
            unit = "minute" if minutes == 1 else "minutes"
            raise TooManyAttempts(
                f"Too many failed sign-ins {source}. Wait {minutes} {unit} and try again."
            )
    failures, _ = _increment(session, EMAIL, keys[EMAIL], limits.email_window_seconds, now)
    excess = failures - limits.per_email
    if excess <= 0 or _signed_in_from(session, email, address):
        return
    turn = min(limits.slowdown_max_seconds, excess * limits.slowdown_step_seconds)
    taken = _take_turn(session, keys[TURN], turn, now)
    if taken < now:
        seconds = max(1, math.ceil((taken + timedelta(seconds=turn) - now).total_seconds()))
        unit = "second" if seconds == 1 else "seconds"
        raise TooManyAttempts(
            f"Too many failed sign-ins for this account just now. Wait {seconds} {unit} and "
            "try again, or sign in from a place you have signed in from before."
        )


def forgive_attempt(session: Session, email: str, address: str | None) -> None:
    """Give back the counts of an attempt whose password was right."""
    keys = subjects(email, address)
    for scope, key in keys.items():
        session.execute(
            update(LoginFailureCount)
            .where(
                LoginFailureCount.scope == scope,
                LoginFailureCount.key == key,
                LoginFailureCount.failures > 0,
            )
            .values(failures=LoginFailureCount.failures - 1)
        )


def forget_old_counts(session: Session, limits: LoginLimits, now: datetime) -> None:
    """Delete the counters whose windows ended, so keys tried once do not pile up."""
    longest = max(limits.window_seconds, limits.email_window_seconds)
    session.execute(
        delete(LoginFailureCount).where(
            LoginFailureCount.window_started_at < now - timedelta(seconds=longest)
        )
    )


def _signed_in_from(session: Session, email: str, address: str | None) -> bool:
    """Return whether this email has signed in from this address before."""
    if not address:
        return False
    found = session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.ip_address == address,
            LoginAttempt.succeeded.is_(True),
        )
        .limit(1)
    )
    return found is not None


def _take_turn(session: Session, key: str, turn_seconds: float, now: datetime) -> datetime:
    """Start the email's next turn now if the last one is over; return when the current turn began.

    Parallel attempts queue on the row: exactly one of them gets a turn that is over.
    """
    table = LoginFailureCount.__table__
    over = table.c.window_started_at <= literal(
        now - timedelta(seconds=turn_seconds), DateTime(timezone=True)
    )
    _, started = upsert_returning(
        session,
        table,
        {"scope": TURN, "key": key, "window_started_at": now, "failures": 1},
        [table.c.scope, table.c.key],
        lambda proposed: {
            "failures": table.c.failures + 1,
            "window_started_at": case(
                (over, proposed.window_started_at), else_=table.c.window_started_at
            ),
        },
        [table.c.failures, table.c.window_started_at],
    )
    return started if started.tzinfo else started.replace(tzinfo=UTC)


def _increment(
    session: Session, scope: str, key: str, window_seconds: int, now: datetime
) -> tuple[int, datetime]:
    """Add one failure to the key's window (a new one if it expired); return count and start."""
    table = LoginFailureCount.__table__
    expired = table.c.window_started_at <= literal(
        now - timedelta(seconds=window_seconds), DateTime(timezone=True)
    )
    failures, started = upsert_returning(
        session,
        table,
        {"scope": scope, "key": key, "window_started_at": now, "failures": 1},
        [table.c.scope, table.c.key],
        lambda proposed: {
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_started_at": case(
                (expired, proposed.window_started_at), else_=table.c.window_started_at
            ),
        },
        [table.c.failures, table.c.window_started_at],
    )
    return failures, started if started.tzinfo else started.replace(tzinfo=UTC)
