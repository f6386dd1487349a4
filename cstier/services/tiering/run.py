"""Re-tier the book: evaluate every active scheme, write only the changes, all in one transaction."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cstier.domain.tiering import (
    Scheme,
    apply_hysteresis,
    apply_overrides,
    diff_tiers,
    evaluate,
    input_columns,
)
from cstier.models import (
    AccountTier,
    OutboxEvent,
    TierChange,
    TieringRun,
    TierOverride,
    TierScheme,
)
from cstier.models.base import utcnow
from cstier.services.frames import read_frame
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.services.tiering.schemes import active_schemes, ensure_default_schemes, validate

log = logging.getLogger(__name__)
CHUNK = 10_000


@dataclass
class SchemeOutcome:
    """What one scheme's evaluation proposes: the full result and the changes."""

    scheme: TierScheme
    version: int
    result: pd.DataFrame
    changes: pd.DataFrame
    current: pd.DataFrame


@dataclass
class RunSummary:
    """The result of a run, for the CLI, the web page and the API."""

    run_id: int
    dry_run: bool
    accounts_evaluated: int
    changes: dict[str, int] = field(default_factory=dict)
    status: str = "succeeded"


def current_tiers(session: Session, scheme_id: int) -> pd.DataFrame:
    """Return account_id, tier, pending_tier, pending_count for one scheme."""
    stmt = select(
        AccountTier.account_id,
        AccountTier.tier,
        AccountTier.pending_tier,
        AccountTier.pending_count,
    ).where(AccountTier.scheme_id == scheme_id)
    return read_frame(session, stmt, ["account_id", "tier", "pending_tier", "pending_count"])


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
) -> SchemeOutcome:
    """Evaluate one scheme over the book, with hysteresis and overrides, and diff it."""
    current = current_tiers(session, scheme.id)
    result = evaluate(parsed, book)
    if parsed.hysteresis is not None and not current.empty:
        result = apply_hysteresis(result, current, parsed)
    result = apply_overrides(result, active_overrides(session, scheme.id, now), now)
    changes = diff_tiers(current[["account_id", "tier"]], result[["account_id", "tier"]])
    return SchemeOutcome(scheme, version, result, changes, current)


def evaluate_all(
    session: Session, now: datetime, drafts: dict[int, dict] | None = None
) -> tuple[list[SchemeOutcome], int]:
    """Evaluate every active scheme (or a draft definition in its place); return outcomes and book size."""
    drafts = drafts or {}
    schemes = active_schemes(session)
    parsed = {}
    for scheme in schemes:
        definition = drafts.get(scheme.id, scheme.current.definition)
        parsed[scheme.id] = validate(session, definition)
    columns = set().union(*(input_columns(p) for p in parsed.values())) if parsed else set()
    book = load_book(session, columns, field_catalog(session))
    outcomes = [propose(session, s, parsed[s.id], s.current_version, book, now) for s in schemes]
    return outcomes, len(book)


def run_tiering(
    session: Session,
    *,
    actor_id: int | None,
    trigger: str,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RunSummary:
    """Re-tier every account; write changed tiers, history and outbox events in one transaction."""
    now = now or utcnow()
    ensure_default_schemes(session)
    session.commit()
    try:
        outcomes, evaluated = evaluate_all(session, now)
        run = TieringRun(
            started_at=now,
            trigger=trigger,
            dry_run=dry_run,
            triggered_by_id=actor_id,
            scheme_versions={o.scheme.key: o.version for o in outcomes},
            accounts_evaluated=evaluated,
            changes={o.scheme.key: len(o.changes) for o in outcomes},
        )
        session.add(run)
        session.flush()
        if not dry_run:
            for outcome in outcomes:
                _write(session, outcome, run.id, now)
        run.status, run.finished_at = "succeeded", utcnow()
        session.commit()
    except Exception as exc:
        session.rollback()
        failed = TieringRun(
            started_at=now,
            finished_at=utcnow(),
            trigger=trigger,
            dry_run=dry_run,
            triggered_by_id=actor_id,
            status="failed",
            error=str(exc)[:2000],
        )
        session.add(failed)
        session.commit()
        log.exception("tiering run failed; nothing was written")
        raise
    return RunSummary(run.id, dry_run, evaluated, dict(run.changes))


def _write(session: Session, outcome: SchemeOutcome, run_id: int, now: datetime) -> None:
    """Write one scheme's changed tiers, their history and their outbox events."""
    result = outcome.result.set_index("account_id", drop=False)
    changes = outcome.changes
    if not changes.empty:
        ids = changes["account_id"].tolist()
        chosen = result.loc[ids]
        explanations = chosen["explanation"].astype(str).tolist()
        overridden = chosen["overridden"].tolist() if "overridden" in chosen else [False] * len(ids)
        known = set(outcome.current["account_id"].tolist())
        from_tiers = [None if pd.isna(t) else t for t in changes["from_tier"].tolist()]
        to_tiers = changes["to_tier"].tolist()
        sources = ["override" if o else "rule" for o in overridden]
        tier_rows = [
            {
                "account_id": a,
                "scheme_id": outcome.scheme.id,
                "tier": t,
                "explanation": e,
                "source": s,
                "scheme_version": outcome.version,
                "run_id": run_id,
                "updated_at": now,
            }
            for a, t, e, s in zip(ids, to_tiers, explanations, sources, strict=True)
        ]
        _chunked(session, update(AccountTier), [r for r in tier_rows if r["account_id"] in known])
        _chunked(
            session, insert(AccountTier), [r for r in tier_rows if r["account_id"] not in known]
        )
        history = [
            {
                "account_id": a,
                "scheme_id": outcome.scheme.id,
                "dimension": outcome.scheme.dimension,
                "from_tier": f,
                "to_tier": t,
                "at": now,
                "run_id": run_id,
                "reason": s,
                "scheme_version": outcome.version,
                "explanation": e,
            }
            for a, f, t, s, e in zip(ids, from_tiers, to_tiers, sources, explanations, strict=True)
        ]
        _chunked(session, insert(TierChange), history)
        events = [
            {
                "topic": "tier.changed",
                "payload": {
                    "account_id": h["account_id"],
                    "scheme": outcome.scheme.key,
                    "dimension": h["dimension"],
                    "from_tier": h["from_tier"],
                    "to_tier": h["to_tier"],
                    "run_id": run_id,
                    "reason": h["reason"],
                },
                "created_at": now,
            }
            for h in history
            if h["from_tier"] is not None  # the first tiering of an account is not an alert
        ]
        _chunked(session, insert(OutboxEvent), events)
    _write_pending(session, outcome)


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
    rows = [
        {
            "account_id": int(a),
            "scheme_id": outcome.scheme.id,
            "pending_tier": None if pd.isna(t) else str(t),
            "pending_count": int(c) if not pd.isna(c) else 0,
        }
        for a, t, c in zip(
            after.index[differs],
            after["pending_tier"][differs],
            after["pending_count"][differs],
            strict=True,
        )
    ]
    _chunked(session, update(AccountTier), rows)


def _chunked(session: Session, statement, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])
