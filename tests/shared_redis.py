"""A Redis for tests: 127.0.0.1:6379 (CSTIER_TEST_REDIS_URL), a key prefix per test, cleaned after."""

import os
import secrets
from collections.abc import Iterator

import pytest
import redis

# Database 11 keeps test keys away from anything else on the machine's Redis.
URL = os.environ.get("CSTIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def redis_for_test() -> Iterator[tuple[str, str]]:
    """Yield (url, key prefix) for one test; skip it when no Redis answers; drop its keys after."""
    client = redis.Redis.from_url(URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {URL}: {exc}")
    prefix = f"cstier-test-{secrets.token_hex(4)}:"
    yield URL, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()
