"""Scheduled data feeds: import the newest file of each kind dropped in the feed folder, once."""

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.imports import KINDS
from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.models import FeedFile
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.imports import ImportRequest, import_file
from cstier.services.imports.reader import ReadLimits
from cstier.services.tiering.retier import retier_book
from cstier.services.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")


@dataclass
class FeedOutcome:
    """What a feed pass took: the files imported, skipped as seen, refused, and the re-tier."""

    imported: list[str] = field(default_factory=list)
    already_seen: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    retier_run_id: int | None = None
    retier_refused: str | None = None


@dataclass(frozen=True)
class FeedFileSeen:
    """One file of the folder as found: its name, modification time and content hash."""

    kind: str
    path: Path
    modified_at: datetime
    sha256: str


def newest_files(folder: Path) -> list[FeedFileSeen]:
    """Return the newest file of each import kind in the folder, named `<kind>…​.csv|.xlsx`.

    Kinds come in import order (companies before accounts …), so a feed's references resolve.
    """
    found = []
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES]
    for kind in KINDS:
        # The longest kind name that prefixes a file claims it ("contacts" is not "con…").
        mine = [p for p in files if _kind_of(p.name) == kind]
        if not mine:
            continue
        newest = max(mine, key=lambda p: (p.stat().st_mtime, p.name))
        found.append(
            FeedFileSeen(
                kind,
                newest,
                datetime.fromtimestamp(newest.stat().st_mtime, UTC),
                hashlib.sha256(newest.read_bytes()).hexdigest(),
            )
        )
    return found


def _kind_of(name: str) -> str | None:
    matches = [k for k in KINDS if name.lower().startswith(k)]
    return max(matches, key=len) if matches else None


def saved_mapping(folder: Path, kind: str) -> dict[str, str] | None:
    """Return the column mapping saved beside the feed as `<kind>.mapping.json`, if any."""
    path = folder / f"{kind}.mapping.json"
    if not path.exists():
        return None
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValidationFailed(f"{path.name} is not valid JSON: {exc}") from exc
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValidationFailed(f"{path.name} must map each file header to a column name.")
    return mapping


def import_feeds(session: Session, folder: Path, config: Mapping) -> FeedOutcome:
    """Import each kind's newest unseen file, all or nothing per file, then re-tier once.

    A file is seen by name, modification time and hash, whether it was applied or refused:
    a refused file is not retried until a new one is dropped. Raises ValidationFailed
    naming the refused files after the rest was imported, so the admins are told.
    """
    if not folder.is_dir():
        raise ValidationFailed(f"The import feed folder {folder} does not exist.")
    outcome = FeedOutcome()
    changed = False
    for seen in newest_files(folder):
        if _already_taken(session, seen):
            outcome.already_seen.append(seen.path.name)
            continue
        try:
            mapping = saved_mapping(folder, seen.kind)
            result = import_file(
                session,
                ImportRequest(
                    seen.kind,
                    seen.path,
                    seen.path.name,
                    actor=SYSTEM_ACTOR,
                    mapping=mapping,
                    limits=ReadLimits.from_config(config),
                    sizes=batch_sizes(config),
                ),
            )
        except ValidationFailed as exc:
            _remember(session, seen, "failed", None)
            outcome.refused[seen.path.name] = str(exc)
            continue
        if result.ok:
            outcome.imported.append(seen.path.name)
            changed = changed or bool(result.created or result.updated)
        else:
            first = "; ".join(str(e) for e in result.errors.items[:3])
            outcome.refused[seen.path.name] = f"{result.errors.total:,} errors: {first}"
        _remember(session, seen, "applied" if result.ok else "failed", result.run_id)
    if changed:
        try:
            outcome.retier_run_id = retier_book(
                session, SYSTEM_ACTOR, trigger="import", sizes=batch_sizes(config)
            ).run_id
        except ValidationFailed as exc:  # no schemes yet: the imports stand
            outcome.retier_refused = str(exc)
    if outcome.refused:
        detail = "; ".join(f"{name}: {why}" for name, why in outcome.refused.items())
        raise ValidationFailed(f"Feed files refused, nothing of them was imported: {detail}")
    return outcome


def _already_taken(session: Session, seen: FeedFileSeen) -> bool:
    return (
        session.scalar(
            select(FeedFile.id).where(
                FeedFile.name == seen.path.name,
                FeedFile.modified_at == seen.modified_at,
                FeedFile.sha256 == seen.sha256,
            )
        )
        is not None
    )


def _remember(session: Session, seen: FeedFileSeen, status: str, run_id: int | None) -> None:
    with unit_of_work(session):
        session.add(
            FeedFile(
                kind=seen.kind,
                name=seen.path.name[:255],
                modified_at=seen.modified_at,
                sha256=seen.sha256,
                status=status,
                import_run_id=run_id,
            )
        )
