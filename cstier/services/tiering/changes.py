"""The changed tiers of a run and their history rows, written in account order.

Sorted by account, the history rows reach tier_change's (run_id, account_id) index in key
order and fill its pages as appends do; a first run is flushed every `flush_rows` rows.
"""

from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy.orm import Session

from cstier.models import TierScheme
from cstier.store.bulk_writes import BulkWriter
from cstier.store.tier_blocks import store_tier_changes

HISTORY_COLUMNS = (
    "account_id", "scheme_id", "dimension", "from_tier", "to_tier", "at", "run_id", "reason",
    "scheme_version", "explanation", "inputs",
)  # fmt: skip


class ChangeBatch:
    """Collect tier moves of several schemes; write tiers and history in one sorted pass.

    Moves are kept as NumPy columns per scheme (object arrays for texts, so a missing
    from_tier stays None) and become row tuples only as the history insert writes them.
    """

    def __init__(
        self,
        session: Session,
        writer: BulkWriter,
        run_id: int,
        flush_rows: int,
        before_write: Callable[[], None] = lambda: None,
    ):
        self.session = session
        self.writer = writer
        self.run_id = run_id
        self.flush_rows = flush_rows
        self.before_write = before_write  # waits for other work on the connection
        self.parts: list[dict[str, np.ndarray]] = []
        self.staged = 0

    def add(
        self,
        scheme: TierScheme,
        version: int,
        account_ids: Sequence[int],
        from_tiers: Sequence[str | None],
        to_tiers: Sequence[str],
        explanations: Sequence[str],
        sources: Sequence[str],
        inputs: Sequence[str],
    ) -> None:
        """Stage one scheme's moves, flushing whenever the batch reaches flush_rows."""
        moves = {
            "account_id": np.asarray(account_ids, dtype=np.int64),
            "from_tier": _texts(from_tiers),
            "to_tier": _texts(to_tiers),
            "explanation": _texts(explanations),
            "reason": _texts(sources),
            "inputs": _texts(inputs),
        }
        size = len(moves["account_id"])
        start = 0
        while start < size:
            taken = min(self.flush_rows - self.staged, size - start)
            part = {name: column[start : start + taken] for name, column in moves.items()}
            part |= {
                "scheme_id": np.full(taken, scheme.id, dtype=np.int64),
                "scheme_version": np.full(taken, version, dtype=np.int64),
                "dimension": np.full(taken, scheme.dimension, dtype=object),
            }
            self.parts.append(part)
            self.staged += taken
            start += taken
            if self.staged >= self.flush_rows:
                self.flush()

    def flush(self) -> None:
        """Write the staged moves: updated and new tiers, then their history rows."""
        if not self.parts:
            return
        self.before_write()
        # The block holds the tier alone; the history row below says why (migration 0013).
        store_tier_changes(
            self.session,
            [(int(p["scheme_id"][0]), p["account_id"], p["to_tier"]) for p in self.parts],
        )
        moves = {name: np.concatenate([p[name] for p in self.parts]) for name in self.parts[0]}
        order = np.lexsort((moves["scheme_id"], moves["account_id"]))
        sorted_moves = {name: column[order].tolist() for name, column in moves.items()}
        size = len(order)
        sorted_moves |= {"at": [self.writer.stamp] * size, "run_id": [self.run_id] * size}
        # Zipped as COPY or executemany takes them: the flush never holds every row's tuple.
        rows = zip(*(sorted_moves[name] for name in HISTORY_COLUMNS), strict=True)
        self.writer.insert("tier_change", HISTORY_COLUMNS, rows)
        self.parts, self.staged = [], 0


def _texts(values: Sequence) -> np.ndarray:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column
