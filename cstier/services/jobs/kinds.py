"""The kinds of background job: who may ask for each and the one use case each runs."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.domain.reports import parse_week
from cstier.domain.reports.weeks import week_label
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.imports import ImportRequest, import_file
from cstier.services.imports.reader import ReadLimits
from cstier.services.reports import tier_review
from cstier.services.tiering.run import NO_SCHEMES, Progress, run_tiering
from cstier.services.tiering.schemes import active_schemes

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
    summary = run_tiering(
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
    outcome = import_file(
        session,
        ImportRequest(
            params["kind"],
            Path(params["path"]),
            params["filename"],
            actor=actor,
            mapping=params.get("mapping"),
            encoding=params.get("encoding"),
            retier=bool(params.get("retier")),
            limits=ReadLimits.from_config(config),
            sizes=batch_sizes(config),
        ),
    )
    if not outcome.ok:
        first = "; ".join(str(e) for e in outcome.errors.items[:3])
        raise ValidationFailed(
            f"{params['filename']} was not imported ({outcome.errors.total:,} errors): {first}"
        )
    for name in params.get("discard", ()):
        Path(name).unlink(missing_ok=True)  # applied: the stored upload has served
    progress(
        1,
        1,
        f"Imported {outcome.rows:,} rows: {outcome.created:,} created, "
        f"{outcome.updated:,} updated, {outcome.unchanged:,} unchanged.",
    )
    return "/imports/"


def weekly_report(
    session: Session, actor: Actor, params: dict, progress: Progress, config: Mapping
) -> str:
    """Build the tier review of a week on demand (the stored report replaces this at merge)."""
    week = parse_week(params["week"]) if params.get("week") else None
    report = tier_review(session, actor, week)
    return f"/reports/tier-review?week={week_label(report.week_start)}"


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
        JobKind("report", lambda actor: True, "", weekly_report),
    )
}
