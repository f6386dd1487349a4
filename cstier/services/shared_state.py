"""Where state shared by every web host lives: Redis when one is configured, else the database."""

from sqlalchemy.orm import Session

from cstier.store.login_counts import DatabaseLoginCounts, LoginCounts
from cstier.store.redis_login_counts import RedisLoginCounts
from cstier.store.redis_state import RedisClient, connect_redis


def connect_shared_redis(url: str | None) -> RedisClient | None:
    """Return a client for the configured Redis (it must answer now), or None without a URL."""
    return connect_redis(url) if url else None


def login_counts(session: Session, redis: RedisClient | None, prefix: str) -> LoginCounts:
    """Return where failed sign-ins are counted: the shared Redis, or the session's database."""
    if redis is None:
        return DatabaseLoginCounts(session)
    return RedisLoginCounts(redis, prefix)
