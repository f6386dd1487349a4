"""The kinds of background job: who may ask for each and the one use case each runs."""

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from cstier.domain.imports.mapping import ImportMapping
from cstier.domain.permissions import Actor, can_manage_book
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.imports import ImportRequest, import_file
from cstier.services.imports.reader import ReadLimits
from cstier.services.imports.uploads import discard_upload, upload_copy
from cstier.services.metrics import refresh_metrics
from cstier.services.tiering.preview_store import run_preview
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.run import NO_SCHEMES, Progress
from cstier.services.tiering.schemes import active_schemes
from cstier.services.weekly_report import gem_thresholds
from cstier.services.weekly_report.delivery import weekly_report_on_demand

# run(session, actor, params, progress, config) -> the URL of what the job made, if any
Runner = Callable[[Session, Actor, dict, Progress, Mapping], str | None]


@dataclass(frozen=True)
class JobKind:
    """One kind of background job."""

    name: str
    allowed: Callable[[Actor], bool]
    refusal: str
    run: Runner
    ready: Callable[[Session], None] = lambda session: None  # raises when it cannot start


def schemes_exist(session: Session) -> None:
    """Refuse a re-tier before it is queued when there are no schemes to run."""
    if not active_schemes(session):
        raise ValidationFailed(NO_SCHEMES)


def retier(
    session: Session, actor: Actor, params: dict, progress: Progress, config: Mapping
) -> str:
    """Re-tier the book (or dry-run it) with progress per scheme; link to the run."""
    summary = retier_book(
        session,
        actor,
        trigger=params.get("trigger", "web"),
        dry_run=bool(params.get("dry_run")),
        sizes=batch_sizes(config),
        progress=progress,
    )
    changed = sum(summary.changes.values())
    progress(
        1,
        1,
        f"Run #{summary.run_id}: {summary.accounts_evaluated:,} accounts, {changed:,} changes.",
    )
    return f"/tiers/#run-{summary.run_id}"


def apply_import(
    session: Session, actor: Actor, params: dict, progress: Progress, config: Mapping
) -> str:
    """Apply an already-previewed import file, all or nothing, and optionally re-tier."""
    progress(0, 1, f"Importing {params['filename']}.")
    with _import_source(session, params) as path:
        outcome = import_file(
            session,
            ImportRequest(
                params["kind"],
                path,
                params["filename"],
                actor=actor,
                mapping=ImportMapping.from_json(params["mapping"])
                if params.get("mapping")
                else None,
                encoding=params.get("encoding"),
                retier=bool(params.get("retier")),
                end_dates=params.get("end_dates", "exclusive"),
                limits=ReadLimits.from_config(config),
                sizes=batch_sizes(config),
            ),
        )
    if not outcome.ok:
        first = "; ".join(str(e) for e in outcome.errors.items[:3])
        raise ValidationFailed(
            f"{params['filename']} was not imported ({outcome.errors.total:,} errors): {first}"
        )
    if params.get("upload"):
        discard_upload(session, params["upload"])  # applied: the stored upload has served
    progress(
        1,
        1,
        f"Imported {outcome.rows:,} rows: {outcome.created:,} created, "
        f"{outcome.updated:,} updated, {outcome.unchanged:,} unchanged.",
    )
    return "/imports/"


def _import_source(session: Session, params: dict) -> AbstractContextManager[Path]:
    """Return the job's file: the upload stored in the database, or a path (jobs queued earlier)."""
    if params.get("upload"):
        return upload_copy(session, params["upload"])
    return nullcontext(Path(params["path"]))


def weekly_report(
    session: Session, actor: Actor, params: dict, progress: Progress, config: Mapping
) -> str:
    """Build (or find) the stored weekly report of an ended week on demand."""
    progress(0, 1, "Building the weekly report.")
    run = weekly_report_on_demand(
        session, params.get("week"), bool(params.get("send")), gem_thresholds(config)
    )
    progress(1, 1, f"Report {run.report.week} ready.")
    return f"/reports/weekly/{run.report.week}"


def metrics_refresh(
    session: Session, actor: Actor, params: dict, progress: Progress, config: Mapping
) -> str:
    """Compute and store the monthly churn and retention figures; link to segment health."""
    progress(0, 1, "Computing the monthly churn and retention figures.")
    summary = refresh_metrics(session)
    progress(
        1,
        1,
        f"Stored {sum(summary.rows.values()):,} segment-months over {len(summary.rows)} splits; "
        f"{summary.churned_accounts:,} churned accounts.",
    )
    return "/metrics/"


def scheme_preview(
    session: Session, actor: Actor, params: dict, progress: Progress, config: Mapping
) -> str:
    """Preview a draft scheme over the whole book and store the outcome; link to it."""
    preview_id = run_preview(
        session, actor, int(params["scheme_id"]), params["definition"], progress
    )
    return f"/tiers/previews/{preview_id}"


KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "retier",
            can_manage_book,
            "Only managers and admins start tiering runs.",
            retier,
            schemes_exist,
        ),
        JobKind("import", can_manage_book, "Only managers and admins import files.", apply_import),
        JobKind(
            "report", can_manage_book, "Only managers and admins build reports.", weekly_report
        ),
        JobKind(
            "metrics",
            can_manage_book,
            "Only managers and admins refresh the churn metrics.",
            metrics_refresh,
        ),
        JobKind(
            "preview",
            can_manage_book,
            "Only managers and admins preview tier schemes.",
            scheme_preview,
        ),
    )
}
