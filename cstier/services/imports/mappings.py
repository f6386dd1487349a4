"""The column mapping saved per kind of import: offered with the next file, read by feed imports."""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cstier.domain.imports import KINDS
from cstier.domain.imports.mapping import ImportMapping, MappingRefused
from cstier.models import SavedImportMapping
from cstier.services.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


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
    """Store the mapping an applied import used, in its own transaction after the import's."""
    data = mapping.as_json()
    for _ in range(2):  # a concurrent import of the same kind may write the row first
        try:
            with unit_of_work(session):
                stored = session.scalar(
                    select(SavedImportMapping).where(SavedImportMapping.kind == kind)
                )
                if stored is None:
                    session.add(SavedImportMapping(kind=kind, mapping=data, updated_by_id=user_id))
                elif stored.mapping != data:
                    stored.mapping, stored.updated_by_id = data, user_id
            return
        except (IntegrityError, StaleDataError):
            session.rollback()  # the other import's mapping stands; ours is written over it
    log.warning("the mapping of a %s import was not saved: it kept changing", kind)
