"""Walk an import file's chunks once (check and write each in turn) or twice (check all, then write)."""

from collections.abc import Callable, Iterable, Iterator

import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.imports import ErrorList, KindSpec
from cstier.services.imports.check import (
    FileCheck,
    check_chunk,
    check_parent_cycles,
    check_self_refs,
    find_duplicates,
    first_pass,
)
from cstier.services.imports.refs import References
from cstier.services.imports.spill import Spill
from cstier.services.imports.upsert import Upsert

Read = Callable[[], Iterator[tuple[pd.DataFrame, ErrorList]]]  # the file's validated chunks
MakeUpsert = Callable[[int], Upsert]  # given the (expected) number of rows


def write_all(upsert: Upsert, chunks: Iterable[pd.DataFrame]) -> None:
    """Compare and write every chunk; the stored rows of the next are read while one is written."""
    chunks = iter(chunks)
    chunk = next(chunks, None)
    while chunk is not None:
        following = next(chunks, None)
        upsert.chunk(chunk, following)
        chunk = following
    upsert.finish()


def one_pass(
    session: Session,
    kind: KindSpec,
    read: Read,
    present: set[str],
    refs: References,
    make_upsert: MakeUpsert,
    expected_rows: int,
    key_hash_bits: int = 64,
) -> tuple[FileCheck, Upsert]:
    """Check, compare and write each chunk as it is read, as long as nothing is wrong.

    The rows go into the import's transaction as they come, so the database writes one chunk
    while Python checks the next. At the first error or repeated key the writing stops and
    the rest of the file is only checked; the caller then rolls everything back. Two keys
    sharing one hash (of key_hash_bits bits) look repeated without being so: then the file is
    written again, in a fresh transaction, in a second pass.
    """
    mask = (1 << key_hash_bits) - 1
    check, upsert = FileCheck(), make_upsert(expected_rows)
    seen: set[int] = set()  # key hashes so far: 8 bytes of hash and a set slot per row
    clean = True

    def checked() -> Iterator[pd.DataFrame]:
        nonlocal clean
        for typed, errors in read():
            hashes = check_chunk(kind, check, typed, errors, present, refs)
            keys = hashes.tolist() if key_hash_bits >= 64 else (hashes & mask).tolist()
            before = len(seen)
            seen.update(keys)
            clean = clean and not check.errors and len(seen) - before == len(keys)
            yield typed

    chunks = checked()
    chunk = next(chunks, None)
    while chunk is not None and clean:
        following = next(chunks, None)
        if clean:
            upsert.chunk(chunk, following)
        chunk = following
    for _ in chunks:  # the rest of the file is still checked, for a complete report
        pass
    seen.clear()
    if clean:
        upsert.finish()
        return check, upsert
    upsert.abandon()
    if not check.errors:
        hashes = pd.concat(check.hashes)
        check.errors.extend(find_duplicates(kind, hashes, lambda: (t for t, _ in read())))
    if check.errors:
        return check, upsert
    session.rollback()  # rare: a hash collision, not a repeated key
    upsert = make_upsert(check.rows)
    write_all(upsert, (typed for typed, _ in read()))
    return check, upsert


def two_passes(
    kind: KindSpec,
    read: Read,
    present: set[str],
    refs: References,
    make_upsert: MakeUpsert,
) -> tuple[FileCheck, Upsert | None]:
    """Check the whole file, then write it: rows may name parents defined further down.

    The checked chunks are kept on disk, so the file is parsed once.
    """
    spill = Spill()
    try:
        check = first_pass(kind, spill.keep(read()), present, refs)
        hashes = pd.concat(check.hashes) if check.hashes else pd.Series(dtype="uint64")
        check.errors.extend(find_duplicates(kind, hashes, spill.replay))
        check_self_refs(check, hashes, "parent_external_id")
        check_parent_cycles(kind, check, hashes, refs, spill.replay)
        if check.errors:
            return check, None
        upsert = make_upsert(check.rows)
        write_all(upsert, spill.replay())
        return check, upsert
    finally:
        spill.close()
