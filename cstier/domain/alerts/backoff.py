"""When to try a failed delivery again, and when to stop."""

import random
from datetime import datetime, timedelta

BASE_SECONDS = 30
CAP_SECONDS = 6 * 3600


def retry_delay(
    attempts: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    base: float = BASE_SECONDS,
    cap: float = CAP_SECONDS,
) -> timedelta:
    """Return the wait before the next attempt: full jitter, never before the receiver's Retry-After."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    delay = (rng or random).uniform(0, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return timedelta(seconds=delay)


def gives_up(
    attempts: int, created_at: datetime, now: datetime, max_attempts: int, max_age: timedelta
) -> bool:
    """Return whether a delivery has been tried enough times, or for long enough."""
    return attempts >= max_attempts or now - created_at >= max_age


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Read a Retry-After header (seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
