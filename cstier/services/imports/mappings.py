"""The column mapping saved per kind of import: offered with the next file, read by feed imports."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.imports import KINDS
from cstier.domain.imports.mapping import ImportMapping, MappingRefused
from cstier.models import SavedImportMapping


def saved_mapping(session: Session, kind: str) -> ImportMapping | None:
    """Return the mapping last applied for a kind of import, or None when there is none."""
    if kind not in KINDS:
        raise ValueError(f"No import kind {kind!r}.")
    stored = session.scalar(select(SavedImportMapping).where(SavedImportMapping.kind == kind))
    if stored is None:
        return None
    try:
        return ImportMapping.from_json(stored.mapping)
    except MappingRefused:  # written by an older release: offer nothing rather than fail
        return None


def remember_mapping(
    session: Session, kind: str, mapping: ImportMapping, user_id: int | None
) -> None:
    """Store the mapping an import applied, in the import's transaction (the caller commits)."""
    stored = session.scalar(select(SavedImportMapping).where(SavedImportMapping.kind == kind))
    data = mapping.as_json()
    if stored is None:
        session.add(SavedImportMapping(kind=kind, mapping=data, updated_by_id=user_id))
    elif stored.mapping != data:
        stored.mapping, stored.updated_by_id = data, user_id
