"""Which scheduler leads: the one holding the workspace's leader lock (PostgreSQL), or each one (SQLite)."""

from sqlalchemy import Engine

from cstier.store.job_claims import LeaderLock


class Leadership:
    """This process's claim to be the active scheduler; standbys ask again on every heartbeat."""

    def __init__(self, engine: Engine) -> None:
        self._lock = LeaderLock(engine)

    def check(self) -> bool:
        """Take the lead if it is free (or keep it); return whether this process leads."""
        return self._lock.try_acquire()

    def step_down(self) -> None:
        """Let a standby take over."""
        self._lock.release()
