"""Read the committed changes an outbox event announces, with what rules and messages need."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.alerts.rules import Change, cause
from cstier.models import (
    Account,
    AccountCoverage,
    Company,
    CoverageChange,
    CoverageModel,
    OutboxEvent,
    TierChange,
    TieringRun,
)
from cstier.services.reports import as_utc, scheme_tiers

TIERS_CHANGED, COVERAGE_CHANGED = "tiers.changed", "coverage.changed"
TOPICS = (TIERS_CHANGED, COVERAGE_CHANGED)
# What a webhook receiver is told, one message per change: an endpoint picks among these.
EVENT_TYPES = ("tier.changed", "coverage.changed")


@dataclass(frozen=True)
class ToldChange:
    """A change as rules decide on it (`change`) and as people read it."""

    key: str  # tier_change:12 — one notification per user and key
    event_type: str  # tier.changed, coverage.changed
    change: Change
    account_name: str
    subject: str  # Acme: Value tiers Growth → Strategic
    cause: str
    explanation: str
    at: datetime
    data: dict  # what a webhook receiver gets


def changes_of(session: Session, event: OutboxEvent) -> list[ToldChange]:
    """Return the changes the event announces (a first tiering announces none)."""
    if event.topic == TIERS_CHANGED:
        # A run announces its coverage moves with its tier moves, in one event.
        run_id = int(event.payload["run_id"])
        return _tier_changes(session, run_id) + _coverage_changes(session, {"run_id": run_id})
    return _coverage_changes(session, event.payload)


def _account_columns():
    return (
        Account.name.label("account_name"),
        Account.csm_id,
        Company.region,
        AccountCoverage.coverage_model_id,
    )


def _with_account(stmt, account_id):
    """Join what rules decide on: the account's name, owner, region and coverage model."""
    return (
        stmt.join(Account, Account.id == account_id)
        .join(Company, Company.id == Account.company_id)
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
    )


def _told(event_type: str, key: str, change: Change, row, subject: str, why: str, at: datetime,
          explanation: str = "", **details) -> ToldChange:  # fmt: skip
    """Return one change as people and receivers are told it; `details` go in its data."""
    at = as_utc(at)
    data = {"account_id": change.account_id, "account_name": row.account_name, **details,
            "cause": why, "explanation": explanation, "at": at.isoformat()}  # fmt: skip
    if event_type == "coverage.changed":
        del data["explanation"]  # receivers of coverage moves never had one
    return ToldChange(key, event_type, change, row.account_name, subject, why, explanation, at,
                      data)  # fmt: skip


def _tier_changes(session: Session, run_id: int) -> list[ToldChange]:
    rows = session.execute(
        _with_account(
            select(
                TierChange.id,
                TierChange.account_id,
                TierChange.scheme_id,
                TierChange.dimension,
                TierChange.from_tier,
                TierChange.to_tier,
                TierChange.at,
                TierChange.scheme_version,
                TierChange.explanation,
                *_account_columns(),
            ),
            TierChange.account_id,
        )  # fmt: skip
        .where(TierChange.run_id == run_id, TierChange.from_tier.is_not(None))
        .order_by(TierChange.id)
    ).all()
    schemes = scheme_tiers(session)
    run_versions, before = _versions(session, run_id)
    keys = {v: k for k, v in _scheme_keys(session).items()}
    told = []
    for row in rows:
        tc = row  # plain columns: thousands of ORM objects would cost more than the rest
        scheme = schemes.get(tc.scheme_id)
        name = scheme.name if scheme else f"Scheme #{tc.scheme_id}"
        key = keys.get(tc.scheme_id)
        why = cause(name, run_versions.get(key), before.get(key))
        change = Change(
            source="tier", account_id=tc.account_id, csm_id=row.csm_id, region=row.region,
            coverage_model_id=row.coverage_model_id, scheme_id=tc.scheme_id,
            dimension=tc.dimension, from_tier=tc.from_tier, to_tier=tc.to_tier,
            tiers=scheme.tiers if scheme else (),
        )  # fmt: skip
        told.append(
            _told(
                "tier.changed",
                f"tier_change:{tc.id}",
                change,
                row,
                f"{row.account_name}: {name} {tc.from_tier} → {tc.to_tier}",
                why,
                tc.at,
                tc.explanation or "",
                scheme_id=tc.scheme_id,
                scheme=name,
                dimension=tc.dimension,
                from_tier=tc.from_tier,
                to_tier=tc.to_tier,
                run_id=run_id,
                scheme_version=tc.scheme_version,
            )  # fmt: skip
        )
    return told


def _scheme_keys(session: Session) -> dict[str, int]:
    from cstier.models import TierScheme

    return dict(session.execute(select(TierScheme.key, TierScheme.id)).all())


def _versions(session: Session, run_id: int) -> tuple[dict, dict]:
    """Return the scheme versions of the run and of the run before it that wrote tiers."""
    run = session.get(TieringRun, run_id)
    previous = session.scalar(
        select(TieringRun.scheme_versions)
        .where(
            TieringRun.id < run_id, TieringRun.status == "succeeded", TieringRun.dry_run.is_(False)
        )
        .order_by(TieringRun.id.desc())
        .limit(1)
    )
    return (run.scheme_versions or {}) if run else {}, previous or {}


def _coverage_changes(session: Session, payload: dict) -> list[ToldChange]:
    stmt = _with_account(
        select(
            CoverageChange.id,
            CoverageChange.account_id,
            CoverageChange.from_model_id,
            CoverageChange.to_model_id,
            CoverageChange.at,
            CoverageChange.run_id,
            *_account_columns(),
        ),
        CoverageChange.account_id,
    ).where(CoverageChange.from_model_id.is_not(None))
    if payload.get("run_id") is not None:
        stmt = stmt.where(CoverageChange.run_id == payload["run_id"])
    else:  # the rows written after the last id before them, not tied to a run
        stmt = stmt.where(
            CoverageChange.run_id.is_(None), CoverageChange.id > int(payload.get("after_id") or 0)
        ).limit(int(payload.get("changed") or 0))
    rows = session.execute(stmt.order_by(CoverageChange.id)).all()
    models = dict(session.execute(select(CoverageModel.id, CoverageModel.name)).all())
    why = "Tier change" if payload.get("run_id") is not None else "Coverage matrix change"
    told = []
    for row in rows:
        cc = row
        was, now = models.get(cc.from_model_id, "none"), models.get(cc.to_model_id, "none")
        change = Change(
            source="coverage", account_id=cc.account_id, csm_id=row.csm_id, region=row.region,
            coverage_model_id=cc.to_model_id, from_model_id=cc.from_model_id,
        )  # fmt: skip
        told.append(
            _told(
                "coverage.changed",
                f"coverage_change:{cc.id}",
                change,
                row,
                f"{row.account_name}: coverage {was} → {now}",
                why,
                cc.at,
                from_model=was,
                to_model=now,
                run_id=cc.run_id,
            )  # fmt: skip
        )
    return told
