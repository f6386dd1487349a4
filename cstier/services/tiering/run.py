"""Re-tier the book: evaluate every active scheme, write only the changes, all in one transaction."""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.domain.tiering import (
    Scheme,
    apply_hysteresis,
    apply_overrides,
    diff_tiers,
    evaluate,
    explain_rows,
    input_columns,
    row_positions,
)
from cstier.models import OutboxEvent, TieringRun, TierOverride, TierScheme
from cstier.models.base import utcnow
from cstier.services.coverage.derive import StoredCoverage, derive_coverage, stored_coverage
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering.changes import ChangeBatch
from cstier.services.tiering.fields import FIELD_ARR_CENTS, field_catalog, load_book
from cstier.services.tiering.schemes import active_schemes, validate
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import read_frame
from cstier.store.bulk_writes import BulkWriter, checkpoint_after, large_page_cache, large_work_mem
from cstier.store.sizes import BatchSizes
from cstier.store.threads import (
    ConnectionView,
    InFlight,
    reads_ahead_while_evaluating,
)
from cstier.store.tier_blocks import (
    read_current_tiers,
    serialize_writers,
    store_pending,
)

log = logging.getLogger(__name__)

# progress(done, total, message=None): a background job's or the CLI's progress bar.
Progress = Callable[..., None]


def no_progress(done: int, total: int, message: str | None = None) -> None:
    """Report nothing: a run nobody watches."""


NO_SCHEMES = "There are no tier schemes to run yet: an admin creates the default schemes first."


@dataclass
class SchemeOutcome:
    """What one scheme's evaluation proposes: the full result and the changes."""

    scheme: TierScheme
    version: int
    result: pd.DataFrame
    changes: pd.DataFrame
    current: pd.DataFrame
    parsed: Scheme | None = None
    book: pd.DataFrame | None = None

    def explanations(self, positions: np.ndarray) -> np.ndarray:
        """Return the explanations of result rows at `positions`, computing missing ones.

        A run evaluates without explanations and asks here only for the rows it writes;
        overrides already carry their note.
        """
        if "explanation" in self.result.columns:
            known = self.result["explanation"].to_numpy(object)[positions]
        else:
            known = np.full(len(positions), None, dtype=object)
        missing = pd.isna(known)
        if missing.any():
            known[missing] = explain_rows(self.parsed, self.book, positions[missing])
        return known


@dataclass
class RunSummary:
    """The result of a run, for the CLI, the web page and the API."""

    run_id: int
    dry_run: bool
    accounts_evaluated: int
    changes: dict[str, int] = field(default_factory=dict)
    status: str = "succeeded"
    coverage_changes: int = 0


def active_overrides(session: Session, scheme_id: int, now: datetime) -> pd.DataFrame:
    """Return the unrevoked overrides of one scheme, oldest first."""
    stmt = (
        select(
            TierOverride.account_id, TierOverride.tier, TierOverride.reason, TierOverride.expires_at
        )
        .where(TierOverride.scheme_id == scheme_id, TierOverride.revoked_at.is_(None))
        .order_by(TierOverride.created_at, TierOverride.id)
    )
    return read_frame(session, stmt, ["account_id", "tier", "reason", "expires_at"])


def propose(
    session: Session,
    scheme: TierScheme,
    parsed: Scheme,
    version: int,
    book: pd.DataFrame,
    now: datetime,
    current: pd.DataFrame | None = None,
    explain: bool = True,
    overrides: pd.DataFrame | None = None,
) -> SchemeOutcome:
    """Evaluate one scheme over the book, with hysteresis and overrides, and diff it.

    Without `explain`, explanations are left for `SchemeOutcome.explanations` to compute
    for the rows that need them: explaining the whole book costs more than evaluating it.
    Given `current` and `overrides`, it reads nothing from the database.
    """
    if current is None:
        current = read_current_tiers(session, [scheme.id], with_pending=True)[scheme.id]
    if overrides is None:
        overrides = active_overrides(session, scheme.id, now)
    result = evaluate(parsed, book, explain=explain)
    if parsed.hysteresis is not None and not current.empty:
        result = apply_hysteresis(result, current, parsed)
    result = apply_overrides(result, overrides, now)
    changes = diff_tiers(current[["account_id", "tier"]], result[["account_id", "tier"]])
    return SchemeOutcome(scheme, version, result, changes, current, parsed, book)


def evaluate_each(
    session: Session,
    now: datetime,
    drafts: dict[int, dict] | None = None,
    explain: bool = True,
    committed: bool = False,
    field_arr: bool = False,
    chunk_rows: int | None = None,
) -> tuple[pd.DataFrame, Iterator[SchemeOutcome]]:
    """Load the book once; return it and each active scheme's outcome, one at a time.

    Lazily, so a run can write one scheme and drop its frames before the next: the
    schemes' book-sized results never sit in memory together. `committed`, `field_arr` and
    `chunk_rows` are load_book's.
    """
    drafts = drafts or {}
    schemes = active_schemes(session)
    parsed = {s.id: validate(session, drafts.get(s.id, s.current.definition)) for s in schemes}
    columns = set().union(*(input_columns(p) for p in parsed.values())) if parsed else set()
    by_runs = any(p.hysteresis is not None and p.hysteresis.runs for p in parsed.values())
    # Both on the run's connection: the packed tiers are quick to read, and a second
    # connection alongside the book read measured slower on both databases.
    book = load_book(session, columns, field_catalog(session), committed, field_arr, chunk_rows)
    current = read_current_tiers(session, [s.id for s in schemes], by_runs)
    # Read up front: evaluating then reads nothing, and a run reads the stored coverage meanwhile.
    overrides = {s.id: active_overrides(session, s.id, now) for s in schemes}

    def outcomes() -> Iterator[SchemeOutcome]:
        for s in schemes:
            yield propose(
                session,
                s,
                parsed[s.id],
                s.current_version,
                book,
                now,
                current.pop(s.id),
                explain,
                overrides.pop(s.id),
            )

    return book, outcomes()


def run_tiering(
    session: Session,
    actor: Actor,
    *,
    trigger: str,
    dry_run: bool = False,
    now: datetime | None = None,
    sizes: BatchSizes = BatchSizes(),
    progress: Progress = no_progress,
) -> RunSummary:
    """Re-tier every account; write changed tiers, history and the run's outbox event in one transaction."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins start tiering runs.")
    if not active_schemes(session):
        raise ValidationFailed(NO_SCHEMES)
    now = now or utcnow()
    actor_id = actor.user_id
    session.commit()  # the book read below runs on fresh connections, which see only commits
    try:
        run = TieringRun(started_at=now, trigger=trigger, dry_run=dry_run, triggered_by_id=actor_id)
        session.add(run)
        session.flush()
        if not dry_run:
            serialize_writers(session)  # a second run waits here, then sees this one's tiers
        with checkpoint_after(session), large_page_cache(session), large_work_mem(session):
            evaluated, versions, changes, coverage_changes = _evaluate_and_write(
                session, run.id, now, dry_run, sizes, progress
            )
            run.scheme_versions, run.changes, run.accounts_evaluated = versions, changes, evaluated
            run.status, run.finished_at = "succeeded", utcnow()
            session.commit()  # inside the block: its checkpoint follows this commit
    except Exception as exc:
        session.rollback()  # nothing of a failed run is kept but the record that it failed
        failed = TieringRun(
            started_at=now,
            finished_at=utcnow(),
            trigger=trigger,
            dry_run=dry_run,
            triggered_by_id=actor_id,
            status="failed",
            error=str(exc)[:2000],
        )
        with unit_of_work(session):
            session.add(failed)
        log.exception("tiering run failed; nothing was written")
        raise
    return RunSummary(run.id, dry_run, evaluated, dict(changes), coverage_changes=coverage_changes)


def _evaluate_and_write(
    session: Session,
    run_id: int,
    now: datetime,
    dry_run: bool,
    sizes: BatchSizes,
    progress: Progress,
) -> tuple[int, dict[str, int], dict[str, int], int]:
    """Evaluate and write each scheme in turn, then coverage; return what the run records."""
    steps = len(active_schemes(session)) + 2  # the book, each scheme, coverage
    progress(0, steps, "Reading the book.")
    # run_tiering committed before it wrote its run record, which the book doesn't read.
    book, outcomes = evaluate_each(
        session,
        now,
        explain=False,
        committed=True,
        field_arr=not dry_run,
        chunk_rows=sizes.book_chunk_rows,
    )
    coverage_schemes = {active_scheme_id(session, d): d for d in ("value", "needs")}
    # On SQLite the stored coverage is read on a background thread while the schemes are
    # evaluated, which reads nothing from the database (anything else would wait for it).
    # On PostgreSQL the server's work slowed the evaluation as much as that saved, so it
    # reads after, on two connections. The owners come with the stored coverage, not the
    # book, so an account a CSM takes while the run evaluates is still flagged if its
    # model moves.
    early = not dry_run and reads_ahead_while_evaluating(session)
    ahead = InFlight(early)
    stored: list[StoredCoverage] = []
    if early:
        view = ConnectionView(session.connection())
        ahead.submit(lambda: stored.append(stored_coverage(view)))
    try:
        progress(1, steps, f"Evaluating {len(book):,} accounts.")
        evaluated_schemes = _evaluate_schemes(
            session,
            _counted(outcomes, progress, steps),
            run_id,
            now,
            dry_run,
            ahead,
            coverage_schemes,
            sizes.tier_flush_rows,
        )
        ahead.wait()
    finally:
        ahead.close()  # a failed run rolls back only once nothing is in flight
    versions, changes, alerts, coverage_tiers = evaluated_schemes
    coverage_changes = 0
    if not dry_run:
        # Coverage follows value × needs: re-derive it in the same transaction.
        # (its changes are in coverage_change, tied to this run by run_id)
        tiers = _coverage_tiers(coverage_tiers, book) if versions else None
        # The run has not touched the stored coverage: it may be read as committed.
        derived = derive_coverage(
            session,
            run_id=run_id,
            now=now,
            tiers=tiers,
            committed=True,
            stored=stored[0] if stored else None,
            facts=coverage_facts(book),
        )
        coverage_changes = derived.changed
        _announce(session, run_id, alerts, now)
    progress(steps, steps, "Coverage derived.")
    return len(book), versions, changes, coverage_changes


def _evaluate_schemes(
    session: Session,
    outcomes: Iterator[SchemeOutcome],
    run_id: int,
    now: datetime,
    dry_run: bool,
    ahead: InFlight,
    coverage_schemes: dict[int, str],
    flush_rows: int,
) -> tuple[dict, dict, dict, dict]:
    """Evaluate each scheme and stage its moves; return what the run records and coverage needs.

    Every write waits for `ahead`, the stored coverage read in flight on the connection.
    """
    versions, changes, alerts = {}, {}, {}
    coverage_tiers = {}
    batch = ChangeBatch(
        session, BulkWriter(session, now), run_id, flush_rows, before_write=ahead.wait
    )
    for outcome in outcomes:
        versions[outcome.scheme.key] = outcome.version
        changes[outcome.scheme.key] = len(outcome.changes)
        # A first tiering (no from_tier) is not an alert; the rule lives in services/alerts.py.
        alerts[outcome.scheme.key] = int(outcome.changes["from_tier"].notna().sum())
        if outcome.scheme.id in coverage_schemes:
            # After the write these are the stored tiers: coverage needs no re-read.
            coverage_tiers[coverage_schemes[outcome.scheme.id]] = outcome.result["tier"]
        if not dry_run:
            _stage(batch, outcome)
            _write_pending(session, outcome, before_write=ahead.wait)
    if not dry_run:
        batch.flush()
    return versions, changes, alerts, coverage_tiers


def _counted(
    outcomes: Iterator[SchemeOutcome], progress: Progress, steps: int
) -> Iterator[SchemeOutcome]:
    """Report a step of progress as each scheme's outcome has been written."""
    for done, outcome in enumerate(outcomes, start=2):
        yield outcome
        progress(done, steps, f"Wrote {outcome.scheme.name}.")


# Book columns coverage reads when it flags owned accounts, as derive_coverage names them.
FACT_COLUMNS = {FIELD_ARR_CENTS: "arr_cents", "region": "region", "industry": "vertical"}


def coverage_facts(book: pd.DataFrame) -> pd.DataFrame:
    """Return, by account id, the book's columns coverage would otherwise read again.

    The ARR field, region and vertical, where the book holds them: with them, coverage
    gathers what it needs to suggest owners for the accounts it flags without reading the
    account table (services/coverage/derive.py).
    """
    present = {column: name for column, name in FACT_COLUMNS.items() if column in book}
    return pd.DataFrame(
        {name: book[column].array for column, name in present.items()},
        index=pd.Index(book["account_id"].to_numpy(), name="account_id"),
    )


def _coverage_tiers(tiers: dict[str, pd.Series], book: pd.DataFrame) -> pd.DataFrame:
    """Return account_id, value_tier, needs_tier from a run's results (NA where not tiered)."""
    empty = pd.Series(pd.NA, index=book.index, dtype="object")
    return pd.DataFrame(
        {
            "account_id": book["account_id"].to_numpy(),
            "value_tier": tiers.get("value", empty).astype("object").to_numpy(),
            "needs_tier": tiers.get("needs", empty).astype("object").to_numpy(),
        }
    )


def _stage(batch: ChangeBatch, outcome: SchemeOutcome) -> None:
    """Stage one scheme's changed tiers and their history in the run's change batch."""
    changes = outcome.changes
    if changes.empty:
        return
    result = outcome.result
    at = row_positions(result["account_id"], changes["account_id"])
    overridden = (
        result["overridden"].to_numpy(bool)[at]
        if "overridden" in result
        else np.zeros(len(at), bool)
    )
    from_tiers = changes["from_tier"].to_numpy(dtype=object)
    from_tiers[pd.isna(from_tiers)] = None
    batch.add(
        outcome.scheme,
        outcome.version,
        changes["account_id"].to_numpy(dtype=np.int64),
        from_tiers,
        changes["to_tier"].to_numpy(dtype=object),
        outcome.explanations(at),
        np.where(overridden, "override", "rule"),
    )


def _announce(session: Session, run_id: int, alerts: dict[str, int], now: datetime) -> None:
    """Write one outbox event for the run's alerts, in the run's transaction.

    One event per run, not per change: the history rows are the alerts (services/alerts.py
    reads them by run), so the delivery job fans out from this event to email and webhooks.
    A run with hundreds of thousands of moves then costs one outbox row instead of as many
    rows again, and no alert can be lost because event and history commit together.
    """
    moved = {key: count for key, count in alerts.items() if count}
    if not moved:
        return
    payload = {"run_id": run_id, "alerts": sum(moved.values()), "by_scheme": moved}
    session.add(OutboxEvent(topic="tiers.changed", payload=payload, created_at=now))
    session.flush()


def _write_pending(
    session: Session, outcome: SchemeOutcome, before_write: Callable[[], None]
) -> None:
    """Store consecutive-run counters for schemes damped by a number of runs."""
    if "pending_count" not in outcome.result or outcome.current.empty:
        return
    before_write()
    before = outcome.current.set_index("account_id")
    after = outcome.result.set_index("account_id").reindex(before.index)
    differs = (after["pending_count"].fillna(0) != before["pending_count"].fillna(0)) | (
        after["pending_tier"].astype("string").fillna("")
        != before["pending_tier"].astype("string").fillna("")
    )
    changed = after[differs.to_numpy()]
    store_pending(
        session,
        outcome.scheme.id,
        changed.index.to_numpy(),
        changed["pending_tier"].to_numpy(dtype=object),  # store_pending reads NaN as none
        changed["pending_count"].fillna(0).astype(np.int64).to_numpy(),
    )
