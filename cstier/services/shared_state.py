"""Where state shared by every web host lives: Redis when one is configured, else the database."""

from sqlalchemy.orm import Session

from cstier.store.login_counts import DatabaseLoginCounts, LoginCounts
from cstier.store.redis_login_counts import RedisLoginCounts
from cstier.store.redis_state import RedisClient, connect_redis, redis_client, require_answer


def connect_shared_redis(url: str | None) -> RedisClient | None:
    """Return a client for the configured Redis (it must answer now), or None without a URL."""
    return connect_redis(url) if url else None


def shared_redis(url: str | None) -> RedisClient | None:
    """Return a client for the configured Redis that connects on first use, or None."""
    return redis_client(url) if url else None


def require_shared_redis(client: RedisClient | None, url: str | None) -> None:
    """Raise RedisUnreachable when a Redis is configured and does not answer now."""
    if client is not None and url:
        require_answer(client, url)


def login_counts(session: Session, redis: RedisClient | None, prefix: str) -> LoginCounts:
    """Return where failed sign-ins are counted: the shared Redis, or the session's database."""
    if redis is None:
        return DatabaseLoginCounts(session)
    return RedisLoginCounts(redis, prefix)
