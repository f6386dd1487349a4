"""The changed tiers of a run and their history rows, written in account order.

A re-tier moves a few percent of the book in every scheme. Written scheme by scheme,
each scheme's history rows sweep the whole (account_id, at) index of tier_change again,
and with million-row tables most of its pages have left the cache by the next sweep.
Staging the moves of all schemes and inserting the history sorted by account visits
each index page once. Current tiers are stored scheme by scheme, in the packed blocks of
services/tiering/current.py. A first run, which changes everything, is flushed whenever
the batch reaches FLUSH_ROWS so memory stays bounded.
"""

from itertools import groupby
from operator import itemgetter

from sqlalchemy.orm import Session

from cstier.models import TierScheme
from cstier.services.bulk import BulkWriter
from cstier.services.tiering.current import store_tiers

FLUSH_ROWS = 500_000
HISTORY_COLUMNS = (
    "account_id", "scheme_id", "dimension", "from_tier", "to_tier", "at", "run_id", "reason",
    "scheme_version", "explanation",
)  # fmt: skip


class ChangeBatch:
    """Collect tier moves of several schemes; write tiers and history in one sorted pass."""

    def __init__(self, session: Session, writer: BulkWriter, run_id: int):
        self.session = session
        self.writer = writer
        self.run_id = run_id
        # (account_id, scheme_id, from_tier, to_tier, explanation, source, version, dimension)
        self.moves: list[tuple] = []

    def add(
        self,
        scheme: TierScheme,
        version: int,
        account_ids: list[int],
        from_tiers: list[str | None],
        to_tiers: list[str],
        explanations: list[str],
        sources: list[str],
    ) -> None:
        """Stage one scheme's moves, flushing whenever the batch reaches FLUSH_ROWS."""
        scheme_id, dimension = scheme.id, scheme.dimension
        moves = zip(account_ids, from_tiers, to_tiers, explanations, sources, strict=True)
        for a, f, t, e, s in moves:
            self.moves.append((a, scheme_id, f, t, e, s, version, dimension))
            if len(self.moves) >= FLUSH_ROWS:
                self.flush()

    def flush(self) -> None:
        """Write the staged moves: updated and new tiers, then their history rows."""
        if not self.moves:
            return
        self.moves.sort(key=lambda move: (move[1], move[0]))
        run_id, stamp = self.run_id, self.writer.stamp
        # The block holds the tier alone; the history row below says why (migration 0013).
        for scheme_id, moves in groupby(self.moves, key=itemgetter(1)):
            moved = list(moves)
            store_tiers(self.session, scheme_id, [m[0] for m in moved], [m[3] for m in moved])
        self.moves.sort(key=lambda move: (move[0], move[1]))
        self.writer.insert(
            "tier_change",
            HISTORY_COLUMNS,
            [(a, s, d, f, t, stamp, run_id, src, v, e) for a, s, f, t, e, src, v, d in self.moves],
        )  # fmt: skip
        self.moves = []
