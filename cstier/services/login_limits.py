"""Count failed sign-ins atomically: per (email, address), per address and per email.

Each attempt is counted before its password is checked ("increment first, then decide"), in
one atomic step per attempt, so parallel attempts each see their own number; a right password
gives its count back. The counters live in the database (`DatabaseLoginCounts`) or, when
CSTIER_REDIS_URL is set, in Redis shared by every web host (`RedisLoginCounts`).

Past the per-email limit, the email takes one attempt per turn, and each failure past the
limit lengthens the turn (up to a cap): an attempt before its turn is refused at once,
unchecked, so a burst from many addresses guesses no faster than one per turn and holds no
web worker asleep. An address the user has signed in from before skips the turns, so an
attack on an email does not lock its owner out (docs/scaling.md, "Bad load").
"""

import hashlib
import ipaddress
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.models import LoginAttempt
from cstier.services.errors import SignInUnavailable, TooManyAttempts
from cstier.store.login_counts import ADDRESS, EMAIL, PAIR, TURN, LoginCounts
from cstier.store.redis_state import RedisUnreachable

log = logging.getLogger(__name__)


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
    counts: LoginCounts,
    limits: LoginLimits,
    email: str,
    address: str | None,
    now: datetime,
    signed_in_before: Callable[[], bool],
) -> None:
    """Count one attempt in every scope; refuse it past a limit or before the email's turn.

    A refused attempt is not counted: the database's caller rolls back when this raises, and
    Redis takes the counts back in the same script. `signed_in_before` says whether the
    email has signed in from this address before (asked only past the per-email limit).
    """
    keys = subjects(email, address)
    try:
        counted = counts.count(
            keys,
            {PAIR: limits.per_pair, ADDRESS: limits.per_address},
            {
                PAIR: limits.window_seconds,
                ADDRESS: limits.window_seconds,
                EMAIL: limits.email_window_seconds,
            },
            now,
        )
        if counted.refused:
            _refuse_window(counted.refused, counted.window_ends_at - now)
        excess = counted.email_failures - limits.per_email
        if excess <= 0 or signed_in_before():
            return
        turn = min(limits.slowdown_max_seconds, excess * limits.slowdown_step_seconds)
        began = counts.take_turn(keys[TURN], turn, now)
    except RedisUnreachable as exc:
        # Fail closed: an attempt that cannot be counted is not checked.
        log.error("sign-in refused: %s", exc)
        raise SignInUnavailable(
            "Sign-in is unavailable for a moment. Try again in a minute."
        ) from exc
    if began < now:
        seconds = max(1, math.ceil((began + timedelta(seconds=turn) - now).total_seconds()))
        unit = "second" if seconds == 1 else "seconds"
        raise TooManyAttempts(
            f"Too many failed sign-ins for this account just now. Wait {seconds} {unit} and "
            "try again, or sign in from a place you have signed in from before."
        )


def _refuse_window(scope: str, wait: timedelta) -> None:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    source = "for this account from your address" if scope == PAIR else "from your address"
    unit = "minute" if minutes == 1 else "minutes"
    raise TooManyAttempts(
        f"Too many failed sign-ins {source}. Wait {minutes} {unit} and try again."
    )


def signed_in_from(session: Session, email: str, address: str | None) -> bool:
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


def forgive_attempt(counts: LoginCounts, email: str, address: str | None) -> None:
    """Give back the counts of an attempt whose password was right (if Redis lets us)."""
    try:
        counts.forgive(subjects(email, address))
    except RedisUnreachable as exc:
        # The sign-in stands; its failure expires with its window instead.
        log.warning("sign-in not forgiven: %s", exc)


def forget_old_counts(counts: LoginCounts, limits: LoginLimits, now: datetime) -> None:
    """Drop the counters whose windows ended, so keys tried once do not pile up."""
    counts.forget_old(max(limits.window_seconds, limits.email_window_seconds), now)
