"""Re-tier the book: evaluate every active scheme, write only the changes, all in one transaction."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.domain.tiering import (
    Scheme,
    apply_hysteresis,
    apply_overrides,
    diff_tiers,
    evaluate,
    explain_rows,
    explains_alone,
    row_positions,
)
from cstier.domain.tiering.frozen import keep_frozen
from cstier.domain.tiering.inputs import input_records
from cstier.models import OutboxEvent, TieringRun, TierScheme
from cstier.models.base import utcnow
from cstier.services.coverage.derive import apply_coverage
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering.changes import ChangeBatch
from cstier.services.tiering.schemes import active_schemes, validate
from cstier.services.tiering.snapshot import BookSnapshot, read_snapshot
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_writes import BulkWriter, checkpoint_after, large_page_cache, large_work_mem
from cstier.store.sizes import BatchSizes
from cstier.store.tier_blocks import serialize_writers, store_pending

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
        if missing.any() and not explains_alone(self.parsed):
            # A cut over every account explains any row from all of them: do it once, not per chunk.
            self._explain_all()
            return self.result["explanation"].to_numpy(object)[positions]
        if missing.any():
            known[missing] = explain_rows(self.parsed, self.book, positions[missing])
        return known

    def _explain_all(self) -> None:
        """Fill every missing explanation of the result, keeping those it has."""
        every = explain_rows(self.parsed, self.book, np.arange(len(self.result)))
        if "explanation" in self.result.columns:
            kept = self.result["explanation"].to_numpy(object)
            every = np.where(pd.isna(kept), every, kept)
        self.result["explanation"] = every


@dataclass
class RunSummary:
    """The result of a run, for the CLI, the web page and the API."""

    run_id: int
    dry_run: bool
    accounts_evaluated: int
    changes: dict[str, int] = field(default_factory=dict)
    status: str = "succeeded"
    coverage_changes: int = 0


def propose(
    scheme: TierScheme,
    parsed: Scheme,
    version: int,
    book: pd.DataFrame,
    current: pd.DataFrame,
    overrides: pd.DataFrame,
    churned: np.ndarray,
    now: datetime,
    explain: bool = True,
) -> SchemeOutcome:
    """Evaluate one scheme over the book, with hysteresis and overrides, and diff it.

    Without `explain`, explanations are left for `SchemeOutcome.explanations` to compute
    for the rows that need them: explaining the whole book costs more than evaluating it.
    Churned accounts keep their current tier (domain/tiering/frozen.py).
    """
    result = evaluate(parsed, book, explain=explain)
    if parsed.hysteresis is not None and not current.empty:
        result = apply_hysteresis(result, current, parsed)
    result = apply_overrides(result, overrides, now)
    result = keep_frozen(result, current, churned)
    changes = diff_tiers(current[["account_id", "tier"]], result[["account_id", "tier"]])
    return SchemeOutcome(scheme, version, result, changes, current, parsed, book)


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
    schemes = active_schemes(session)
    if not schemes:
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
            # run_tiering committed before it wrote its run record, which the book doesn't read.
            progress(0, len(schemes) + 2, "Reading the book.")
            parsed = {s.id: validate(session, s.current.definition) for s in schemes}
            snapshot = read_snapshot(
                session,
                parsed,
                now,
                committed=True,
                for_write=not dry_run,
                chunk_rows=sizes.book_chunk_rows,
            )
            progress(1, len(schemes) + 2, f"Evaluating {len(snapshot.accounts):,} accounts.")
            tally = _tier_book(
                session, snapshot, schemes, parsed, run.id, now, dry_run, sizes, progress
            )
            run.scheme_versions, run.changes = tally.versions, tally.changes
            run.accounts_evaluated = len(snapshot.accounts)
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
    return RunSummary(
        run.id,
        dry_run,
        run.accounts_evaluated,
        dict(tally.changes),
        coverage_changes=tally.coverage_changes,
    )


@dataclass
class RunTally:
    """What a run records: scheme versions, changes and alerts per scheme, coverage changes."""

    versions: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    coverage_changes: int = 0

    def add(self, outcome: SchemeOutcome) -> None:
        """Count one scheme's outcome."""
        key = outcome.scheme.key
        self.versions[key] = outcome.version
        self.changes[key] = len(outcome.changes)
        # A first tiering (no from_tier) is not an alert; the rule lives in services/alerts.py.
        self.alerts[key] = int(outcome.changes["from_tier"].notna().sum())


def _tier_book(
    session: Session,
    snapshot: BookSnapshot,
    schemes: list[TierScheme],
    parsed: dict[int, Scheme],
    run_id: int,
    now: datetime,
    dry_run: bool,
    sizes: BatchSizes,
    progress: Progress,
) -> RunTally:
    """Evaluate and write each scheme in turn, then coverage; record the mix, announce the moves."""
    tally = RunTally()
    mix = None if dry_run else snapshot.run_mix()
    coverage_dimensions = {active_scheme_id(session, d): d for d in ("value", "needs")}
    proposed: dict[str, pd.Series] = {}
    batch = ChangeBatch(session, BulkWriter(session, now), run_id, sizes.tier_flush_rows)
    for scheme in schemes:
        current, overrides = snapshot.take(scheme.id)
        outcome = propose(
            scheme,
            parsed[scheme.id],
            scheme.current_version,
            snapshot.accounts,
            current,
            overrides,
            snapshot.churned,
            now,
            explain=False,
        )
        tally.add(outcome)
        if scheme.id in coverage_dimensions:
            proposed[coverage_dimensions[scheme.id]] = outcome.result["tier"]
        if mix is not None:
            _stage(batch, outcome, sizes.move_chunk_rows)
            _write_pending(session, outcome)
            mix.add_scheme(scheme.id, outcome.result, outcome.changes)
        progress(len(tally.versions) + 1, len(schemes) + 2, f"Wrote {scheme.name}.")
    if mix is None:
        return tally
    batch.flush()
    # Coverage follows value × needs: re-derive it in the same transaction.
    derived = apply_coverage(session, snapshot.coverage_inputs(proposed), run_id=run_id, now=now)
    tally.coverage_changes = derived.changed
    mix.record(session, run_id, now, derived.models)  # the trends and dashboards read these
    _announce(session, run_id, tally.alerts, now)
    progress(len(schemes) + 2, len(schemes) + 2, "Coverage derived.")
    return tally


def _stage(batch: ChangeBatch, outcome: SchemeOutcome, chunk_rows: int) -> None:
    """Stage one scheme's changed tiers and their history in the run's change batch.

    `chunk_rows` moves at a time: their explanations and inputs are texts made for those
    moves alone, so a first run, where every account moves, holds a chunk's texts, not the book's.
    """
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
    account_ids = changes["account_id"].to_numpy(dtype=np.int64)
    from_tiers = changes["from_tier"].to_numpy(dtype=object)
    from_tiers[pd.isna(from_tiers)] = None
    to_tiers = changes["to_tier"].to_numpy(dtype=object)
    sources = np.where(overridden, "override", "rule")
    for start in range(0, len(at), chunk_rows):
        part = slice(start, start + chunk_rows)
        batch.add(
            outcome.scheme,
            outcome.version,
            account_ids[part],
            from_tiers[part],
            to_tiers[part],
            outcome.explanations(at[part]),
            sources[part],
            input_records(outcome.parsed, outcome.book, at[part]),
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


def _write_pending(session: Session, outcome: SchemeOutcome) -> None:
    """Store consecutive-run counters for schemes damped by a number of runs."""
    if "pending_count" not in outcome.result or outcome.current.empty:
        return
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
