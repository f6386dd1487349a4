"""First pass over an import file: validate every row and every reference, write nothing."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cstier.domain.imports import ErrorList, KindSpec, RowError, validate_chunk
from cstier.domain.imports.keys import key_hashes, key_text, repeated_hashes
from cstier.services.imports.refs import NOUNS, References


@dataclass
class FileCheck:
    """What the first pass learned: row count, errors, and a hash of every key."""

    rows: int = 0
    errors: ErrorList = field(default_factory=ErrorList)
    hashes: list[pd.Series] = field(default_factory=list)
    self_refs: list[pd.DataFrame] = field(default_factory=list)  # row, value, hash


def check_references(
    kind: KindSpec, typed: pd.DataFrame, present: set[str], refs: References, errors: ErrorList
) -> pd.DataFrame | None:
    """Flag references to rows that do not exist or belong to another company.

    Return the references to this kind itself (a parent company) not in the database yet:
    they may still be defined further down the same file.
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
            own = missing & (values == typed["external_id"])
            errors.add_column(spec.name, values, _reason(own, "a row cannot refer to itself"))
            pending = pd.DataFrame({"value": values[missing & ~own]})
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
        check.rows += len(typed)
        check.errors.extend(errors)
        pending = check_references(kind, typed, present, refs, check.errors)
        if pending is not None and not pending.empty:
            pending["hash"] = key_hashes(pending.rename(columns={"value": "k"}), ("k",))
            check.self_refs.append(pending)
        complete = typed[list(kind.key)].notna().all(axis=1)
        check.hashes.append(key_hashes(typed[complete], kind.key))
    return check


def validated(kind: KindSpec, chunks: Iterator[pd.DataFrame], attributes: dict):
    """Yield (typed chunk, errors) for every chunk of text cells."""
    for text in chunks:
        yield validate_chunk(kind, text, attributes)
