"""How many rows the store reads, writes or loads at a time; set by the app's configuration."""

from collections.abc import Mapping
from dataclasses import dataclass

from cstier.store.column_reads import CHUNK_ROWS as BOOK_CHUNK_ROWS
from cstier.store.set_aside import BULK_ROWS

IMPORT_CHUNK_ROWS = 50_000
TIER_FLUSH_ROWS = 500_000
# Moves a run explains and stages at a time: a first run's texts for every account of a
# scheme, made at once, would hold more memory than the book itself.
MOVE_CHUNK_ROWS = 100_000
KEY_HASH_BITS = 64
HEALTH_RANGE_ACCOUNTS = 250_000


@dataclass(frozen=True)
class BatchSizes:
    """Rows per book read, per staged batch of tier changes, per import chunk, from which
    import load the indexes are set aside, and the bits of each key's hash an import keeps to
    tell repeated keys (fewer bits, more collisions: each sends the file to a second pass),
    the tier moves a run explains and stages at a time, and accounts per range of ids the
    health pass reads, scores and writes at a time."""

    book_chunk_rows: int = BOOK_CHUNK_ROWS
    tier_flush_rows: int = TIER_FLUSH_ROWS
    import_chunk_rows: int = IMPORT_CHUNK_ROWS
    import_bulk_rows: int = BULK_ROWS
    key_hash_bits: int = KEY_HASH_BITS
    health_range_accounts: int = HEALTH_RANGE_ACCOUNTS
    move_chunk_rows: int = MOVE_CHUNK_ROWS

    @classmethod
    def from_config(cls, config: Mapping) -> "BatchSizes":
        """Return the sizes in the app config (BOOK_CHUNK_ROWS, ...), else the defaults."""
        return cls(
            book_chunk_rows=config.get("BOOK_CHUNK_ROWS", BOOK_CHUNK_ROWS),
            tier_flush_rows=config.get("TIER_FLUSH_ROWS", TIER_FLUSH_ROWS),
            import_chunk_rows=config.get("IMPORT_CHUNK_ROWS", IMPORT_CHUNK_ROWS),
            import_bulk_rows=config.get("IMPORT_BULK_ROWS", BULK_ROWS),
            health_range_accounts=config.get("HEALTH_RANGE_ACCOUNTS", HEALTH_RANGE_ACCOUNTS),
            move_chunk_rows=config.get("MOVE_CHUNK_ROWS", MOVE_CHUNK_ROWS),
        )
