"""Read a book range by range of account ids, the next ranges read while the caller works on this one.

Memory then holds a few ranges of the book, never all of it, and on PostgreSQL two more
connections read ranges k+1 and k+2 while Python scores and writes range k (store/threads.py).
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.store.bulk_writes import large_page_cache, large_work_mem
from cstier.store.column_reads import reading_connections
from cstier.store.threads import InFlight, shareable_across_threads

AccountRange = tuple[int, int]
# Ranges read at once, each on a connection of its own: the reads are the pass's longest path.
READERS = 2
T = TypeVar("T")


def account_ranges(session: Session, column, accounts_per_range: int) -> list[AccountRange]:
    """Return inclusive (first, last) id ranges of `accounts_per_range` ids covering `column`."""
    if accounts_per_range < 1:
        raise ValueError("accounts_per_range must be at least 1")
    low, high = session.execute(select(func.min(column), func.max(column))).one()
    if low is None:
        return []
    return [
        (start, min(start + accounts_per_range - 1, int(high)))
        for start in range(int(low), int(high) + 1, accounts_per_range)
    ]


def reads_beside_writes(session: Session) -> bool:
    """Return whether reading on a second connection while the session writes pays here.

    PostgreSQL works each connection in a server process of its own, so the reads, the
    scoring and the inserts each take a core. SQLite runs reads and inserts in this process,
    where on a shared machine they contended more than they overlapped (docs/benchmarks.md).
    """
    return session.connection().dialect.name == "postgresql"


def read_ahead(
    session: Session,
    ranges: list[AccountRange],
    read: Callable[[Session, AccountRange], T],
    elsewhere: bool,
) -> Iterator[T]:
    """Yield read(session, range) for each range in order.

    With `elsewhere` (only for a caller whose session holds no uncommitted change to what
    `read` reads) the ranges are read on READERS connections of their own, seeing what was
    committed when the first range is read, each on a background thread, up to READERS ranges
    ahead of the caller, while the caller writes through the session. Otherwise each range is
    read in the session, in turn.
    """
    connection = session.connection()
    if not (elsewhere and len(ranges) > 1 and shareable_across_threads(connection.engine.url)):
        for accounts in ranges:
            yield read(session, accounts)
        return
    count = min(READERS, len(ranges))
    with ExitStack() as opened:
        _, *helpers = opened.enter_context(reading_connections(connection, True, count))
        readers = [opened.enter_context(Session(bind=helper)) for helper in helpers]
        for reader in readers:
            # The reader's book-wide queries want the cache and sort memory the session has.
            opened.enter_context(large_page_cache(reader))
            opened.enter_context(large_work_mem(reader))
        workers = [InFlight(background=True) for _ in readers]
        fetched: dict[int, T] = {}

        def fetch(index: int) -> None:
            fetched[index] = read(readers[index % count], ranges[index])

        def start(index: int) -> None:
            if index < len(ranges):
                workers[index % count].submit(partial(fetch, index))

        try:
            for index in range(count):
                start(index)
            for index in range(len(ranges)):
                workers[index % count].wait()
                start(index + count)
                yield fetched.pop(index)
        finally:
            for worker in workers:
                worker.close()
