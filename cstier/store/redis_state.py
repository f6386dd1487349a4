"""Connect to the Redis that every web host shares (CSTIER_REDIS_URL); a web host checks it."""

import redis

RedisClient = redis.Redis


class RedisUnreachable(RuntimeError):
    """CSTIER_REDIS_URL is set but no Redis answers there."""


def redis_client(url: str, timeout_seconds: float = 2.0) -> RedisClient:
    """Return a client for `url` that connects on first use; a malformed URL is refused now."""
    try:
        return redis.Redis.from_url(
            url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
        )
    except ValueError as exc:
        raise _unreachable(url, exc) from exc


def connect_redis(url: str, timeout_seconds: float = 2.0) -> RedisClient:
    """Return a client for `url` once Redis answered a PING; raise RedisUnreachable if not."""
    client = redis_client(url, timeout_seconds)
    require_answer(client, url)
    return client


def require_answer(client: RedisClient, url: str) -> None:
    """Raise RedisUnreachable unless Redis answers a PING at `url`.

    A web host that silently fell back to its own counters would split the rate limit, so a
    configured Redis that does not answer stops a web host's start instead.
    """
    try:
        client.ping()
    except redis.RedisError as exc:
        raise _unreachable(url, exc) from exc


def _unreachable(url: str, exc: Exception) -> RedisUnreachable:
    return RedisUnreachable(
        f"CSTIER_REDIS_URL is set to {_without_password(url)} but Redis does not answer "
        f"there ({exc}). Start Redis, fix the URL, or unset CSTIER_REDIS_URL to keep the "
        "counters in the database."
    )


def _without_password(url: str) -> str:
    """Return the URL with any password masked, so it can go into a log."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
