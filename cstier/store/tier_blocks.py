"""The current tiers: each scheme's tiers packed in blocks of account ids (migration 0017).

A run reads and rewrites a few rows per scheme (models.tiers.TierBlock), not one per
account; runs write one at a time (`serialize_writers`), each applying only its own moves.
Every tier change also goes to the plain rows of current_tier (migration 0025), in the same
call and transaction, so SQL readers and the blocks never disagree.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from cstier.models import TierBlock
from cstier.store.bulk_writes import BulkWriter

BLOCK_SIZE = 65_536
CODE = np.dtype("<u2")  # 0 = no tier; k = the block's k-th tier name
MAX_COUNT = np.iinfo(CODE).max
WRITER_LOCK = 0x63737469657231  # "cstier1": the advisory lock key of tier-block writers


@dataclass
class Block:
    """One stored block, decoded: tier names and full-length code arrays."""

    number: int
    names: list[str]
    tiers: np.ndarray
    pending: np.ndarray
    counts: np.ndarray

    @classmethod
    def empty(cls, number: int) -> "Block":
        return cls(number, [], *(np.zeros(BLOCK_SIZE, CODE) for _ in range(3)))

    @classmethod
    def decoded(cls, number: int, names: list[str], tiers, pending, counts) -> "Block":
        return cls(number, list(names), _padded(tiers), _padded(pending), _padded(counts))

    def ids(self, positions: np.ndarray) -> np.ndarray:
        """Return the account ids at positions within the block."""
        return positions.astype(np.int64) + self.number * BLOCK_SIZE

    def encode(self) -> dict:
        """Return the block's stored form, its names reduced to the codes still in use."""
        size = len(self.names) + 1
        held = np.bincount(self.tiers, minlength=size) + np.bincount(self.pending, minlength=size)
        used = np.flatnonzero(held[1:]) + 1
        lut = np.zeros(len(self.names) + 1, CODE)
        lut[used] = np.arange(1, len(used) + 1)
        has_pending = bool(self.pending.any())
        return {
            "block": self.number,
            "tier_names": [self.names[code - 1] for code in used.tolist()],
            "tiers": _packed(lut[self.tiers]),
            "pending": _packed(lut[self.pending]) if has_pending else None,
            "pending_counts": _packed(self.counts) if has_pending else None,
        }


def read_current_tiers(
    session: Session, scheme_ids: list[int], with_pending: bool = False
) -> dict[int, pd.DataFrame]:
    """Return each scheme's account_id and tier (plus pending_tier/pending_count if asked).

    Every scheme id gets a frame, empty when it holds no tiers yet; rows are in account
    order and the tier column is categorical (few tiers, each repeated across the book).
    """
    by_scheme: dict[int, list[Block]] = {int(s): [] for s in scheme_ids}
    for scheme_id, block in _load(session, list(by_scheme)):
        by_scheme[scheme_id].append(block)
    return {s: _frame(blocks, with_pending) for s, blocks in by_scheme.items()}


def account_tiers(session: Session, account_id: int) -> dict[int, tuple[str, str | None, int]]:
    """Return {scheme_id: (tier, pending_tier, pending_count)} for one account's tiers."""
    number, at = divmod(account_id, BLOCK_SIZE)
    held = {}
    for scheme_id, block in _load(session, None, [number]):
        code = int(block.tiers[at])
        if code:
            pending = int(block.pending[at])
            held[scheme_id] = (
                block.names[code - 1],
                block.names[pending - 1] if pending else None,
                int(block.counts[at]),
            )
    return held


def tiers_of(session: Session, scheme_id: int, account_ids: np.ndarray) -> np.ndarray:
    """Return the tier (or None) each given account holds in a scheme, reading only their blocks."""
    ids = np.asarray(account_ids, dtype=np.int64)
    found = np.full(len(ids), None, dtype=object)
    if not len(ids):
        return found
    numbers = ids // BLOCK_SIZE
    for _, block in _load(session, [scheme_id], sorted(set(numbers.tolist()))):
        here = numbers == block.number
        labels = np.array([None, *block.names], dtype=object)
        found[here] = labels[block.tiers[ids[here] - block.number * BLOCK_SIZE]]
    return found


def store_tiers(
    session: Session, scheme_id: int, account_ids: Sequence[int], tiers: Sequence[str | None]
) -> None:
    """Set the current tier of the given accounts in one scheme; None clears an account's."""
    store_tier_changes(session, [(scheme_id, account_ids, tiers)])


def store_tier_changes(
    session: Session, changes: Sequence[tuple[int, Sequence[int], Sequence[str | None]]]
) -> None:
    """Set current tiers of several schemes: (scheme_id, account_ids, tiers) each.

    The current_tier rows of all of them are written together in key order (account, then
    scheme), which SQLite's index updates take faster than scheme after scheme.
    """
    rows = RowChanges()
    for scheme_id, account_ids, tiers in changes:
        _edit(session, scheme_id, account_ids, {"tiers": tiers}, rows)
    rows.write(session)


def store_pending(
    session: Session,
    scheme_id: int,
    account_ids: Sequence[int],
    pending_tiers: Sequence[str | None],
    counts: Sequence[int],
) -> None:
    """Set the pending move (tier or None, consecutive runs) of the given accounts."""
    _edit(session, scheme_id, account_ids, {"pending": pending_tiers, "counts": counts})


def _edit(
    session: Session,
    scheme_id: int,
    account_ids,
    values: dict[str, Sequence],
    rows: "RowChanges | None" = None,
) -> None:
    """Edit the blocks of one scheme; tier changes go to `rows` (written here when not given)."""
    account_ids = np.asarray(account_ids, dtype=np.int64)
    if not len(account_ids):
        return
    numbers, offsets = np.divmod(account_ids, BLOCK_SIZE)
    order = np.argsort(numbers, kind="stable")
    touched, starts = np.unique(numbers[order], return_index=True)
    stored = {b.number: b for _, b in _load(session, [scheme_id], touched.tolist(), lock=True)}
    columns = {name: np.asarray(column, dtype=object) for name, column in values.items()}
    inserts, updates, emptied = [], [], []
    writes_rows = rows is None
    rows = rows if rows is not None else RowChanges()
    for number, chosen in zip(touched.tolist(), np.split(order, starts[1:]), strict=True):
        block = stored.get(number) or Block.empty(number)
        at = offsets[chosen]
        if "tiers" in columns:
            before = block.tiers.copy()
            codes = _codes(block, columns["tiers"][chosen])
            block.tiers[at] = codes
            cleared = at[codes == 0]  # an account without a tier has no pending move either
            block.pending[cleared], block.counts[cleared] = 0, 0
            rows.add(scheme_id, block, np.unique(at), before)
        if "pending" in columns:
            block.pending[at] = _codes(block, columns["pending"][chosen])
            counts = columns["counts"][chosen].astype(np.int64)
            block.counts[at] = np.clip(counts, 0, MAX_COUNT)
        if not block.tiers.any() and not block.pending.any():
            if number in stored:
                emptied.append(number)
            continue
        row = {"scheme_id": scheme_id, **block.encode()}
        (updates if number in stored else inserts).append(row)
    if updates:
        session.execute(update(TierBlock), updates)
    if inserts:
        session.execute(insert(TierBlock), inserts)
    if emptied:
        session.execute(
            delete(TierBlock).where(TierBlock.scheme_id == scheme_id, TierBlock.block.in_(emptied))
        )
    if writes_rows:
        rows.write(session)


class RowChanges:
    """The current_tier rows edits add, change and remove, written in bulk and key order."""

    COLUMNS = ("account_id", "scheme_id", "tier")

    def __init__(self) -> None:
        self.added: list[tuple] = []
        self.changed: list[tuple] = []
        self.removed: list[tuple] = []

    def add(self, scheme_id: int, block: Block, at: np.ndarray, before: np.ndarray) -> None:
        """Note the rows of the block's positions `at` whose code differs from `before`."""
        old, new = before[at], block.tiers[at]
        moved = old != new
        at, old, new = at[moved], old[moved], new[moved]
        ids = block.ids(at)
        labels = np.array([None, *block.names], dtype=object)[new]
        gone, kept = new == 0, old != 0
        scheme = itertools.repeat(scheme_id)
        self.removed += zip(ids[gone].tolist(), scheme)  # noqa: B905 (repeat is endless)
        for rows, chosen in ((self.changed, ~gone & kept), (self.added, ~gone & ~kept)):
            rows += zip(ids[chosen].tolist(), scheme, labels[chosen].tolist())  # noqa: B905

    def write(self, session: Session) -> None:
        """Apply the noted rows to current_tier in the session's transaction, in key order."""
        if not (self.added or self.changed or self.removed):
            return
        for rows in (self.added, self.changed, self.removed):
            rows.sort()  # (account_id, scheme_id, …): the primary key's order
        writer = BulkWriter(session)
        writer.delete("current_tier", self.COLUMNS[:2], self.removed)
        writer.update("current_tier", self.COLUMNS[:2], self.COLUMNS[2:], self.changed)
        writer.insert("current_tier", self.COLUMNS, self.added)


def serialize_writers(session: Session) -> None:
    """Make the transaction the only writer of tier blocks until it ends (PostgreSQL).

    A writer reads blocks, changes some codes and writes the blocks back. Two runs at once
    could both create the same new block, or lock blocks in different orders (pending moves,
    then tiers) and deadlock; with this lock a second run waits for the first to commit and
    then evaluates the book as the first left it. SQLite lets one transaction write at a time
    anyway, so this does nothing there.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK)))


def _codes(block: Block, names: np.ndarray) -> np.ndarray:
    """Return the codes of tier names (None or NaN: 0), adding new names to the block."""
    present = pd.notna(names)
    block.names.extend(sorted(set(names[present].tolist()) - set(block.names)))
    return (pd.Categorical(names, categories=block.names).codes + 1).astype(CODE)


def _load(
    session: Session, scheme_ids: list[int] | None, numbers: list[int] | None = None, lock=False
) -> list[tuple[int, Block]]:
    """Read and decode blocks (of some schemes, some block numbers), locked if asked."""
    stmt = select(
        TierBlock.scheme_id,
        TierBlock.block,
        TierBlock.tier_names,
        TierBlock.tiers,
        TierBlock.pending,
        TierBlock.pending_counts,
    ).order_by(TierBlock.scheme_id, TierBlock.block)
    if scheme_ids is not None:
        stmt = stmt.where(TierBlock.scheme_id.in_(scheme_ids))
    if numbers is not None:
        stmt = stmt.where(TierBlock.block.in_(numbers))
    if lock:
        stmt = stmt.with_for_update()
    return [
        (scheme_id, Block.decoded(number, *stored))
        for scheme_id, number, *stored in session.execute(stmt)
    ]


def _frame(blocks: list[Block], with_pending: bool) -> pd.DataFrame:
    """Return one scheme's tiered accounts from its blocks, tiers as categories."""
    names: list[str] = []
    for block in blocks:
        names.extend(n for n in block.names if n not in names)
    position = {name: code for code, name in enumerate(names, start=1)}
    ids, codes, pending, counts = [], [], [], []
    for block in blocks:
        # Each block numbers its own names; map them to the scheme-wide list.
        lut = np.array([0, *(position[n] for n in block.names)], dtype=CODE)
        at = np.flatnonzero(block.tiers)
        ids.append(block.ids(at))
        codes.append(lut[block.tiers[at]])
        pending.append(lut[block.pending[at]])
        counts.append(block.counts[at])
    frame = pd.DataFrame(
        {
            "account_id": np.concatenate(ids) if ids else np.array([], np.int64),
            "tier": pd.Categorical.from_codes(_joined(codes) - 1, categories=names),
        }
    )
    if with_pending:
        labels = np.array([None, *names], dtype=object)
        frame["pending_tier"] = labels[_joined(pending)]
        frame["pending_count"] = _joined(counts).astype(np.int64)
    return frame


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.array([], np.int64)


def _padded(raw: bytes | None) -> np.ndarray:
    codes = np.zeros(BLOCK_SIZE, CODE)
    if raw:
        stored = np.frombuffer(raw, CODE)
        codes[: len(stored)] = stored
    return codes


def _packed(codes: np.ndarray) -> bytes:
    """Return codes as stored: little-endian uint16, without the trailing zeros."""
    used = np.flatnonzero(codes)
    return codes[: used[-1] + 1 if len(used) else 0].astype(CODE).tobytes()
