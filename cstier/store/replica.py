"""Read from a replica: a session routes one request's reads to it, and every write to the primary.

The web marks the requests that may read stale data (`start_reading_replica`); services never
know. Inside such a request a session hands the replica to every select and the primary to
every flush, insert, update, delete and locking read, so a request cannot write to a copy.
"""

import logging
import time
from collections.abc import Mapping
from contextvars import ContextVar

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Select

from cstier.store.connections import tune_connections

log = logging.getLogger(__name__)

# The replica the current request reads from; None reads (and writes) the primary.
_replica_reads: ContextVar["Replica | None"] = ContextVar("replica_reads", default=None)


class Replica:
    """A read replica's engine, and whether it answered the last time it was asked."""

    def __init__(self, url: str, engine_options: Mapping, retry_seconds: float = 30.0) -> None:
        options = dict(engine_options)
        if url.startswith("postgresql"):
            # An unreachable replica must fail fast: the request falls back to the primary.
            options["connect_args"] = {"connect_timeout": 2, **options.get("connect_args", {})}
        self.engine = create_engine(url, **options)
        tune_connections(self.engine)
        self.retry_seconds = retry_seconds
        self._down_until = 0.0

    def reachable(self) -> bool:
        """Return whether the replica answers; after a failure, skip it for retry_seconds."""
        if time.monotonic() < self._down_until:
            return False
        try:
            with self.engine.connect():
                pass
        except SQLAlchemyError as exc:
            self._down_until = time.monotonic() + self.retry_seconds
            log.warning(
                "read replica unreachable, reading from the primary for %ss: %s",
                self.retry_seconds,
                exc,
            )
            return False
        return True

    def dispose(self) -> None:
        """Close the replica's pooled connections."""
        self.engine.dispose()


def start_reading_replica(replica: Replica | None) -> object:
    """Route reads to the replica until `stop_reading_replica(token)`; for request hooks."""
    chosen = replica if replica is not None and replica.reachable() else None
    return _replica_reads.set(chosen)


def stop_reading_replica(token: object) -> None:
    """Go back to the primary for reads."""
    _replica_reads.reset(token)


class ReplicaRouting:
    """A Session mixin: reads of a replica request go to the replica, everything else to the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs) -> Engine:
        replica = _replica_reads.get()
        if replica is not None and bind is None and _reads_only(self, clause):
            return replica.engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _reads_only(session, clause) -> bool:
    """Return whether a statement only reads: not a flush, not DML, not a locking select."""
    if getattr(session, "_flushing", False):
        return False
    if clause is None:
        return True
    if getattr(clause, "is_dml", False):
        return False
    return not (isinstance(clause, Select) and clause._for_update_arg is not None)
