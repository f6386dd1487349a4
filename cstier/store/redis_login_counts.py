"""Failed sign-ins counted in Redis, shared by every web host; one Lua script per attempt."""

from collections.abc import Mapping
from datetime import datetime, timedelta

import redis

from cstier.store.login_counts import ADDRESS, EMAIL, PAIR, TURN, Counted
from cstier.store.redis_state import RedisUnreachable

# KEYS: pair, address, email. ARGV: pair limit, address limit, window ms, email window ms.
# A window starts with its key's first failure (PEXPIRE on 1); a refused attempt takes its
# counts back, as the database's rollback does. Redis runs a script atomically.
COUNT_SCRIPT = """
local limits = {tonumber(ARGV[1]), tonumber(ARGV[2])}
local windows = {tonumber(ARGV[3]), tonumber(ARGV[3]), tonumber(ARGV[4])}
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], windows[i]) end
  if n > limits[i] then
    for j = 1, i do redis.call('DECR', KEYS[j]) end
    return {i, redis.call('PTTL', KEYS[i])}
  end
end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('PEXPIRE', KEYS[3], windows[3]) end
return {0, n}
"""

# Give back one failure of a key that still has some; its expiry stays as it was.
FORGIVE_SCRIPT = """
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
"""

# KEYS: the turn. ARGV: now and the turn's length, in ms. The key lives as long as its turn:
# set, the turn is this attempt's; there, it began at the time it holds.
TURN_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
return redis.call('GET', KEYS[1])
"""

SCOPES = (PAIR, ADDRESS, EMAIL)


class RedisLoginCounts:
    """Counters under `<prefix>login:<scope>:<key>`, expiring with their windows."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._count = client.register_script(COUNT_SCRIPT)
        self._forgive = client.register_script(FORGIVE_SCRIPT)
        self._turn = client.register_script(TURN_SCRIPT)

    def count(
        self,
        keys: Mapping[str, str],
        limits: Mapping[str, int],
        windows: Mapping[str, int],
        now: datetime,
    ) -> Counted:
        """Count one attempt per scope in one script; past a pair or address limit, none of it."""
        try:
            refused, value = self._count(
                keys=self._names(keys),
                args=[limits[PAIR], limits[ADDRESS], windows[PAIR] * 1000, windows[EMAIL] * 1000],
            )
        except redis.RedisError as exc:
            raise RedisUnreachable(f"Redis did not count the sign-in attempt: {exc}") from exc
        if refused:
            # Redis keeps the time left, not the start: the window ends that much from now.
            return Counted(SCOPES[refused - 1], now + timedelta(milliseconds=max(value, 0)), 0)
        return Counted(None, None, int(value))

    def take_turn(self, key: str, turn_seconds: float, now: datetime) -> datetime:
        """Start the key's next turn now if the last one is over; return when the current began."""
        now_ms = int(now.timestamp() * 1000)
        try:
            began = self._turn(
                keys=[f"{self._prefix}login:{TURN}:{key}"],
                args=[now_ms, max(1, int(turn_seconds * 1000))],
            )
        except redis.RedisError as exc:
            raise RedisUnreachable(f"Redis did not give a sign-in turn: {exc}") from exc
        return now + timedelta(milliseconds=int(began) - now_ms)

    def forgive(self, keys: Mapping[str, str]) -> None:
        """Give back one failure of each scope, never below zero."""
        try:
            self._forgive(keys=self._names(keys))
        except redis.RedisError as exc:
            raise RedisUnreachable(f"Redis did not take back a failure: {exc}") from exc

    def forget_old(self, longest_window_seconds: int, now: datetime) -> None:
        """Nothing to do: each counter expires with its window."""

    def _names(self, keys: Mapping[str, str]) -> list[str]:
        return [f"{self._prefix}login:{scope}:{keys[scope]}" for scope in SCOPES]
