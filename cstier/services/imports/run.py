"""Import a file: check every row and upsert them all in one transaction (or none), audit and record the run."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.imports import KINDS, AttributeType, ErrorList, RowError, clean_text
from cstier.domain.imports.end_dates import stored_end_dates
from cstier.domain.imports.formats import FormatRefused
from cstier.domain.imports.headers import ATTRIBUTE_PREFIX, HeaderMapping, resolve
from cstier.domain.imports.mapping import ImportMapping
from cstier.domain.imports.sniff import EncodingRefused
from cstier.domain.imports.validate import filled_rows
from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.models import CustomAttribute, ImportRun
from cstier.models.base import utcnow
from cstier.services.errors import ServiceError
from cstier.services.imports.check import self_reference, validated
from cstier.services.imports.companies import company_per_account, create_account_companies
from cstier.services.imports.mappings import remember_mapping
from cstier.services.imports.passes import one_pass, two_passes
from cstier.services.imports.reader import ReadLimits, Source, UnreadableFile, open_source
from cstier.services.imports.refs import References
from cstier.services.imports.retier import retier_after_import
from cstier.services.imports.targets import TARGETS
from cstier.services.imports.upsert import Tally, Upsert, link_late_parents
from cstier.services.metrics import refresh_metrics
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_writes import checkpoint_after, large_page_cache
from cstier.store.sizes import BatchSizes
from cstier.store.threads import InFlight, shareable_across_threads

log = logging.getLogger(__name__)


@dataclass
class ImportOutcome:
    """What an import did or would do, for the CLI, the web page and the API."""

    kind: str
    filename: str
    dry_run: bool
    status: str = "failed"  # previewed, applied, failed
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: ErrorList = field(default_factory=ErrorList)
    ignored_columns: list[str] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    run_id: int | None = None
    retier_run_id: int | None = None
    retier_refused: str | None = None  # why the asked-for re-tier did not run
    companies_created: int = 0  # companies made one per account by the mapping

    @property
    def ok(self) -> bool:
        """Return whether the file passed validation."""
        return not self.errors


@dataclass
class ImportRequest:
    """One import as the user asked for it."""

    kind: str
    path: Path
    filename: str
    actor: Actor = SYSTEM_ACTOR
    dry_run: bool = False
    mapping: ImportMapping | dict[str, str] | None = None
    encoding: str | None = None
    retier: bool = True  # of the touched accounts, after an import that changed something
    end_dates: str = (
        "exclusive"  # subscriptions: "inclusive" when end dates are last days of service
    )
    limits: ReadLimits = field(default_factory=ReadLimits)
    sizes: BatchSizes = field(default_factory=BatchSizes)

    @property
    def actor_id(self) -> int | None:
        """Return the importing user's id; none when the system imports."""
        return self.actor.user_id


def attribute_types(session: Session) -> dict[str, AttributeType]:
    """Return the workspace's custom attribute definitions by key."""
    rows = session.scalars(select(CustomAttribute)).all()
    return {a.key: AttributeType(a.data_type, tuple(a.choices or ())) for a in rows}


def _text_chunks(
    source: Source, mapping: HeaderMapping, chosen: ImportMapping, rows: int
) -> Iterator[pd.DataFrame]:
    for chunk in source.chunks(mapping.columns, rows):
        text = clean_text(chunk)
        text = text[filled_rows(text)]  # blank lines are skipped, rows keep their numbers
        text = _filled_in(text, chosen)
        if "csm_email" in text:
            text["csm_email"] = text["csm_email"].str.lower()
        yield text


def _filled_in(text: pd.DataFrame, chosen: ImportMapping) -> pd.DataFrame:
    """Add the mapping's constants, its defaults for blank cells, and each account's company."""
    for column, value in chosen.constants.items():
        text[column] = value
    for column, value in chosen.defaults.items():
        text[column] = text[column].where(text[column] != "", value) if column in text else value
    if chosen.companies_from_accounts:
        text = company_per_account(text)
    return text


def _chosen(request: ImportRequest) -> ImportMapping:
    if isinstance(request.mapping, ImportMapping):
        return request.mapping
    return ImportMapping(columns=dict(request.mapping or {}))


def _file_errors(mapping: HeaderMapping) -> ErrorList:
    errors = ErrorList()
    for column, value, reason in mapping.problems:
        errors.add(RowError(None, column, value, reason))
    for name in mapping.missing:
        errors.add(
            RowError(
                None,
                name,
                "",
                "required column is missing: map a column of the file to it, or set it in the mapping",
            )
        )
    for name in mapping.clashes:
        errors.add(RowError(None, name, "", "two columns of the file are mapped to this column"))
    return errors


def import_file(
    session: Session, request: ImportRequest, now: datetime | None = None
) -> ImportOutcome:
    """Validate the whole file, then (unless a dry run) upsert it all or nothing."""
    # SQLite's default 2 MB page cache thrashes on a big import's indexes, and its commit
    # would copy the whole log back into the database before returning (see store/bulk_writes.py).
    with checkpoint_after(session), large_page_cache(session, megabytes=256):
        return _import_file(session, request, now or utcnow())


def _import_file(session: Session, request: ImportRequest, now: datetime) -> ImportOutcome:
    kind = KINDS[request.kind]
    outcome = ImportOutcome(request.kind, request.filename, request.dry_run)
    try:
        source = open_source(request.path, request.encoding, request.limits)
    except (EncodingRefused, UnreadableFile) as exc:
        outcome.errors.add(RowError(None, "file", request.filename, str(exc)))
        return _record(session, request, outcome, now)
    chosen = _chosen(request)
    mapping = resolve(kind, source.headers, chosen)
    outcome.ignored_columns = mapping.ignored
    outcome.errors = _file_errors(mapping)
    try:
        formats = chosen.formats
    except FormatRefused as exc:
        outcome.errors.add(RowError(None, "mapping", "", str(exc)))
    if outcome.errors:
        return _record(session, request, outcome, now)
    attributes = attribute_types(session) if kind.allows_attributes else {}
    present = mapping.present
    refs = References(session)
    if chosen.companies_from_accounts:
        try:
            outcome.companies_created = create_account_companies(
                session, source, mapping.columns, refs, now
            )
        except UnreadableFile as exc:
            session.rollback()
            outcome.errors.add(RowError(None, "file", request.filename, str(exc)))
            return _record(session, request, outcome, now)

    writer = InFlight(shareable_across_threads(session.get_bind().url) and not request.dry_run)
    columns = [c for c in kind.names if c in present] + sorted(
        c for c in present if c.startswith(ATTRIBUTE_PREFIX)
    )

    def read():
        chunks = validated(
            kind,
            _text_chunks(source, mapping, chosen, request.sizes.import_chunk_rows),
            attributes,
            formats,
        )
        if kind.name != "subscriptions":
            return chunks
        return ((stored_end_dates(f, request.end_dates), e) for f, e in chunks)

    def make_upsert(rows: int) -> Upsert:
        return Upsert(
            session,
            kind,
            TARGETS[kind.name],
            columns,
            refs,
            request.actor_id,
            now,
            write=not request.dry_run,
            writer=writer,
            rows=rows,
            bulk_rows=request.sizes.import_bulk_rows,
        )

    try:
        if self_reference(kind, present) is None:
            check, upsert = one_pass(
                session,
                kind,
                read,
                present,
                refs,
                make_upsert,
                source.estimated_rows(),
                request.sizes.key_hash_bits,
            )
        else:
            check, upsert = two_passes(kind, read, present, refs, make_upsert)
        outcome.rows = check.rows
        outcome.errors = check.errors.renamed(mapping.file_names())
        if outcome.errors:
            return _record(session, request, outcome, now)
        if not request.dry_run:
            link_late_parents(session, upsert.tally, refs)
    except UnreadableFile as exc:
        writer.close()
        session.rollback()
        outcome.errors.add(RowError(None, "file", request.filename, str(exc)))
        return _record(session, request, outcome, now)
    except Exception:
        writer.close()  # never roll back under a write in flight
        session.rollback()
        log.exception("import of %s (%s) failed; nothing was written", request.filename, kind.name)
        outcome.errors.add(
            RowError(
                None,
                "file",
                request.filename,
                "the import failed unexpectedly; nothing was written",
            )
        )
        _record(session, request, outcome, now)
        raise
    finally:
        writer.close()
    _count(outcome, upsert.tally)
    _record(session, request, outcome, now)
    if not request.dry_run:
        remember_mapping(session, kind.name, _as_applied(chosen, mapping), request.actor_id)
    if (
        kind.name == "subscriptions"
        and not request.dry_run
        and (outcome.created or outcome.updated)
    ):
        refresh_metrics(session, now)  # churn figures and churned accounts follow the new rows
    if request.retier and not request.dry_run and (outcome.created or outcome.updated):
        try:
            outcome.retier_run_id = retier_after_import(session, request.actor, request.sizes)
        except ServiceError as exc:  # the import stands; only the re-tier was refused
            outcome.retier_refused = str(exc)
    return outcome


def _as_applied(chosen: ImportMapping, mapping: HeaderMapping) -> ImportMapping:
    """Return the mapping to offer next time: every header's column as this import used it."""
    columns = {h: "" for h in mapping.ignored} | dict(mapping.columns)
    return ImportMapping(
        columns=columns,
        constants=chosen.constants,
        defaults=chosen.defaults,
        date_order=chosen.date_order,
        decimal=chosen.decimal,
        companies_from_accounts=chosen.companies_from_accounts,
    )


def _count(outcome: ImportOutcome, tally: Tally) -> None:
    outcome.created, outcome.updated = tally.created, tally.updated
    outcome.unchanged, outcome.samples = tally.unchanged, tally.samples
    outcome.status = "previewed" if outcome.dry_run else "applied"


def _record(
    session: Session, request: ImportRequest, outcome: ImportOutcome, now: datetime
) -> ImportOutcome:
    """Store the import run in the same transaction as the rows, then commit."""
    if outcome.errors or request.dry_run:
        session.rollback()  # all or nothing: a failed import or a preview leaves only its run
    run = ImportRun(
        kind=request.kind,
        filename=request.filename[:255],
        status=outcome.status,
        dry_run=request.dry_run,
        user_id=request.actor_id,
        rows=outcome.rows,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        errors=outcome.errors.as_json(),
        started_at=now,
        finished_at=utcnow(),
    )
    with unit_of_work(session):
        session.add(run)
    outcome.run_id = run.id
    return outcome
