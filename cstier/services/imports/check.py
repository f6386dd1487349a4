"""First pass over an import file: validate every row and every reference, write nothing."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cstier.domain.imports import ErrorList, KindSpec, RowError, validate_chunk
from cstier.domain.imports.cycles import cycle_edges, cycle_reasons
from cstier.domain.imports.formats import PLAIN, CellFormats
from cstier.domain.imports.keys import key_hashes, key_text, repeated_hashes
from cstier.services.imports.kind_rules import check_kind_rules
from cstier.services.imports.refs import NOUNS, References


@dataclass
class FileCheck:
    """What the first pass learned: row count, errors, and a hash of every key."""

    rows: int = 0
    errors: ErrorList = field(default_factory=ErrorList)
    hashes: list[pd.Series] = field(default_factory=list)
    self_refs: list[pd.DataFrame] = field(default_factory=list)  # row, value, hash
    parent_links: list[pd.DataFrame] = field(default_factory=list)  # row, child hash, parent hash
    stored_parents: set[str] = field(default_factory=set)  # parents named that are in the database


def self_reference(kind: KindSpec, present: set[str]) -> str | None:
    """Return the column that names another row of the same kind (a parent company), if fed."""
    return next((c.name for c in kind.references if c.ref == kind.name and c.name in present), None)


def check_references(
    kind: KindSpec,
    typed: pd.DataFrame,
    present: set[str],
    refs: References,
    errors: ErrorList,
    check: "FileCheck | None" = None,
) -> pd.DataFrame | None:
    """Flag references to rows that do not exist or belong to another company.

    Return the references to this kind itself (a parent company) not in the database yet:
    they may still be defined further down the same file. The parents found in the database
    are remembered in check, for the cycle check.
    """
    pending = None
    for spec in kind.references:
        if spec.name not in present:
            continue
        values = typed[spec.name]
        found = refs.lookup(spec.ref, values)
        known = values.isin(found.index)
        missing = values.notna() & ~known
        if spec.ref == kind.name:
            # A row naming itself is a cycle of one: check_parent_cycles reports it.
            pending = pd.DataFrame({"value": values[missing]})
            if check is not None:
                check.stored_parents.update(pd.unique(values[known]).tolist())
            continue
        what = "email" if spec.ref == "csms" else "external id"
        reason = f"no {NOUNS[spec.ref]} with this {what} in the database"
        errors.add_column(spec.name, values, _reason(missing, reason))
        if spec.ref in ("departments", "contacts") and "company_external_id" in typed:
            owner = values.map(found["company"])
            wrong = known & (owner != typed["company_external_id"]).fillna(False).astype(bool)
            reasons = ("belongs to company " + owner.astype("string")).where(wrong)
            errors.add_column(spec.name, values, reasons.astype(object))
    return pending


def _reason(mask: pd.Series, text: str) -> pd.Series:
    return pd.Series(text, index=mask.index, dtype=object).where(mask)


def find_duplicates(
    kind: KindSpec, hashes: pd.Series, chunks: Callable[[], Iterator[pd.DataFrame]]
) -> ErrorList:
    """Name every row whose key an earlier row of the file already used."""
    errors = ErrorList()
    repeated = repeated_hashes(hashes)
    if not repeated:
        return errors
    # Rare path: read the file again to recover the text of the few repeated keys.
    seen: dict[str, int] = {}
    for typed in chunks():
        rows = key_hashes(typed, kind.key).isin(repeated)
        for row, text in key_text(typed[rows], kind.key).items():
            if text in seen:
                reason = f"duplicate {' / '.join(kind.key)}: already on row {seen[text]}"
                errors.add(RowError(int(row), kind.key[0], text, reason))
            else:
                seen[text] = int(row)
    return errors


def check_self_refs(check: FileCheck, all_hashes: pd.Series, column: str) -> None:
    """Flag references to this kind that are neither in the database nor in the file."""
    if not check.self_refs:
        return
    pending = pd.concat(check.self_refs)
    in_file = np.isin(pending["hash"].to_numpy(), all_hashes.to_numpy())
    for row, value in pending.loc[~in_file, "value"].items():
        check.errors.add(RowError(int(row), column, str(value), "not in the file or the database"))


def first_pass(
    kind: KindSpec,
    typed_chunks: Iterator[tuple[pd.DataFrame, ErrorList]],
    present: set[str],
    refs: References,
) -> FileCheck:
    """Collect errors, key hashes and pending self-references over every chunk."""
    check = FileCheck()
    for typed, errors in typed_chunks:
        check_chunk(kind, check, typed, errors, present, refs)
    return check


def check_chunk(
    kind: KindSpec,
    check: FileCheck,
    typed: pd.DataFrame,
    errors: ErrorList,
    present: set[str],
    refs: References,
) -> pd.Series:
    """Add one chunk's errors, key hashes and pending self-references; return its key hashes."""
    check.rows += len(typed)
    check.errors.extend(errors)
    pending = check_references(kind, typed, present, refs, check.errors, check)
    check_kind_rules(kind.name, typed, present, refs, check.errors)
    if pending is not None and not pending.empty:
        pending["hash"] = key_hashes(pending.rename(columns={"value": "k"}), ("k",))
        check.self_refs.append(pending)
    complete = typed[list(kind.key)].notna().all(axis=1)
    hashes = key_hashes(typed[complete], kind.key)
    check.hashes.append(hashes)
    parent = self_reference(kind, present)
    if parent is not None:
        linked = typed.loc[complete, parent].notna()
        check.parent_links.append(
            pd.DataFrame(
                {
                    "child": hashes[linked],
                    "parent": _hashes(typed.loc[complete, parent][linked]),
                }
            )
        )
    return hashes


def _hashes(values: pd.Series) -> pd.Series:
    """Return the hash key_hashes gives a one-column key of these values."""
    return key_hashes(values.to_frame("k"), ("k",))


def check_parent_cycles(
    kind: KindSpec,
    check: FileCheck,
    all_hashes: pd.Series,
    refs: References,
    chunks: Callable[[], Iterator[pd.DataFrame]],
) -> None:
    """Flag every row whose parent chain, through the file and the database, comes back to it.

    The file's links are held as hashes; the database is walked up from the stored parents
    the file names until the chains end or come back into the file.
    """
    if not check.parent_links:
        return
    column = next(c.name for c in kind.references if c.ref == kind.name)
    links = pd.concat(check.parent_links)
    in_file = set(all_hashes.tolist())
    stored, names = _stored_links(kind, check.stored_parents, in_file, refs)
    parents = pd.concat(
        [
            pd.Series(links["parent"].to_numpy(), index=links["child"].to_numpy()),
            stored,
        ]
    )
    on_cycle = cycle_edges(parents)
    if on_cycle.empty:
        return
    # Rare path: read the file again for the names and row numbers of the rows on a cycle.
    wanted = set(on_cycle.index.tolist())
    rows: dict[int, tuple[int, str, str]] = {}  # hash -> row, external id, parent
    for typed in chunks():
        typed = typed[typed[column].notna() & typed[kind.key[0]].notna()]
        hit = typed[_hashes(typed[kind.key[0]]).isin(wanted).to_numpy()]
        for row, child, parent in zip(hit.index, hit[kind.key[0]], hit[column], strict=True):
            rows.setdefault(hash(str(child)), (int(row), str(child), str(parent)))
    names |= {h: child for h, (_, child, _) in rows.items()}
    named = pd.Series(on_cycle.map(names).to_numpy(), index=on_cycle.index.map(names))
    reasons = cycle_reasons(named)
    for _, (row, child, parent) in sorted(rows.items(), key=lambda item: item[1][0]):
        check.errors.add(RowError(row, column, parent, reasons[child]))


def _stored_links(
    kind: KindSpec, start: set[str], in_file: set[int], refs: References
) -> tuple[pd.Series, dict[int, str]]:
    """Walk up the database from the stored parents the file names, stopping at the file's rows.

    Return the links found (child hash -> parent hash) and the names of the hashes seen.
    """
    links, names = [], {}
    frontier = {p for p in start if hash(p) not in in_file}
    seen = set(frontier)
    while frontier:
        found = refs.parents(kind.name, sorted(frontier))
        names |= {hash(c): c for c in found.index} | {hash(p): p for p in found}
        links.append(pd.Series(_hashes(found).to_numpy(), index=_hashes(pd.Series(found.index))))
        frontier = {p for p in found if hash(p) not in in_file and p not in seen}
        seen |= frontier
    stored = pd.concat(links) if links else pd.Series(dtype="int64")
    return stored, names


def validated(
    kind: KindSpec, chunks: Iterator[pd.DataFrame], attributes: dict, formats: CellFormats = PLAIN
):
    """Yield (typed chunk, errors) for every chunk of text cells."""
    for text in chunks:
        yield validate_chunk(kind, text, attributes, formats)
