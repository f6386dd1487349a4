"""Connect to the Redis that every web host shares (CSTIER_REDIS_URL), or refuse to start."""

import redis

RedisClient = redis.Redis


class RedisUnreachable(RuntimeError):
    """CSTIER_REDIS_URL is set but no Redis answers there."""


def connect_redis(url: str, timeout_seconds: float = 2.0) -> RedisClient:
    """Return a client for `url` once Redis answered a PING; raise RedisUnreachable if not.

    A web host that silently fell back to its own counters would split the rate limit, so a
    configured Redis that does not answer stops the start instead.
    """
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
        )
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnreachable(
            f"CSTIER_REDIS_URL is set to {_without_password(url)} but Redis does not answer "
            f"there ({exc}). Start Redis, fix the URL, or unset CSTIER_REDIS_URL to keep the "
            "counters in the database."
        ) from exc
    return client


def _without_password(url: str) -> str:
    """Return the URL with any password masked, so it can go into a log."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
