"""The weekly report's sections read from the database: aggregates and short, ranked lists."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.reports import SchemeTiers
from cstier.domain.reports.tier_review import json_row
from cstier.domain.reports.weekly_content import NOT_AVAILABLE, fell_from_top
from cstier.models import Account, AccountCoverage, CoverageModel, Handoff, TierChange, User
from cstier.services.coverage.capacity import capacity_report
from cstier.services.reports import as_utc, expiring_overrides
from cstier.services.weekly_report.health import HealthSignal
from cstier.store.bulk_reads import read_frame
from cstier.store.tier_blocks import read_current_tiers

# Each listed section keeps its largest rows and its total; the downloads carry the same rows.
SECTION_ROWS = 200


def needs_owner_section(session: Session) -> dict:
    """Return the accounts flagged for a new owner, largest ARR first, with the suggested owner."""
    owner, suggested = aliased(User), aliased(User)
    flagged = AccountCoverage.needs_reassignment.is_(True)
    total = session.scalar(select(func.count()).select_from(AccountCoverage).where(flagged))
    rows = session.execute(
        select(
            Account.id,
            Account.name,
            Account.arr_cents,
            owner.name.label("csm_name"),
            CoverageModel.name.label("coverage_model"),
            suggested.name.label("suggested_owner"),
        )
        .join(AccountCoverage, AccountCoverage.account_id == Account.id)
        .outerjoin(owner, owner.id == Account.csm_id)
        .outerjoin(CoverageModel, CoverageModel.id == AccountCoverage.coverage_model_id)
        .outerjoin(suggested, suggested.id == AccountCoverage.suggested_owner_id)
        .where(flagged)
        .order_by(Account.arr_cents.desc(), Account.id)
        .limit(SECTION_ROWS)
    ).all()
    return {
        "total": total or 0,
        "accounts": [
            {
                "account_id": r.id,
                "account_name": r.name,
                "arr_cents": r.arr_cents,
                "csm_name": r.csm_name,
                "coverage_model": r.coverage_model,
                "suggested_owner": r.suggested_owner,
            }
            for r in rows
        ],
    }


def open_handoffs_section(session: Session, ends_at: datetime) -> dict:
    """Return the handoffs open when the week ended, due first."""
    from_csm, to_csm = aliased(User), aliased(User)
    open_then = (Handoff.created_at < ends_at) & (
        Handoff.done_at.is_(None) | (Handoff.done_at >= ends_at)
    )
    total = session.scalar(select(func.count()).select_from(Handoff).where(open_then))
    rows = session.execute(
        select(
            Handoff.id,
            Handoff.account_id,
            Account.name,
            from_csm.name.label("from_csm"),
            to_csm.name.label("to_csm"),
            Handoff.due_date,
            Handoff.created_at,
        )
        .join(Account, Account.id == Handoff.account_id)
        .outerjoin(from_csm, from_csm.id == Handoff.from_csm_id)
        .outerjoin(to_csm, to_csm.id == Handoff.to_csm_id)
        .where(open_then)
        .order_by(Handoff.due_date, Handoff.id)
        .limit(SECTION_ROWS)
    ).all()
    return {
        "total": total or 0,
        "handoffs": [
            {
                "handoff_id": r.id,
                "account_id": r.account_id,
                "account_name": r.name,
                "from_csm": r.from_csm,
                "to_csm": r.to_csm,
                "due_date": r.due_date.isoformat() if r.due_date else None,
                "created_at": as_utc(r.created_at).isoformat(),
            }
            for r in rows
        ],
    }


def capacity_section(session: Session) -> dict:
    """Return each CSM's load and each coverage model's headcount, flagging who is over capacity."""
    report = capacity_report(session)
    csms = [json_row(row) for row in report.csms]
    for row in csms:
        row["over_capacity"] = row.get("status") == "over"
    models = [json_row(row) for row in report.models]
    for row in models:
        required, current = row.get("required") or 0, row.get("current") or 0
        row["load_pct"] = round(required / current * 100, 1) if current else None
        row["over_capacity"] = required > current
    return {"csms": csms, "models": models, "unassigned": report.unassigned}


def at_risk_section(
    session: Session,
    value_scheme: SchemeTiers | None,
    starts_at: datetime,
    ends_at: datetime,
    health: HealthSignal,
) -> dict:
    """Return top-value-tier accounts at risk: a red health score, or a fall from the top this week.

    The health signal names red accounts; those holding the top value tier count.
    """
    red = health.red_accounts(session, ends_at)
    section = {
        "health": {"available": red is not None, "note": health.note if red is None else ""},
        "total": 0,
        "accounts": [],
    }
    if value_scheme is None or not value_scheme.tiers:
        section["note"] = "No active value scheme ranks its tiers; " + NOT_AVAILABLE + "."
        return section
    stmt = select(
        TierChange.account_id, TierChange.from_tier, TierChange.to_tier, TierChange.at
    ).where(
        TierChange.scheme_id == value_scheme.scheme_id,
        TierChange.at >= starts_at,
        TierChange.at < ends_at,
    )
    changes = read_frame(session, stmt, ["account_id", "from_tier", "to_tier", "at"])
    fell = fell_from_top(changes, list(value_scheme.tiers))
    signals: dict[int, list[str]] = {}
    for row in fell.itertuples():
        signals.setdefault(int(row.account_id), []).append(
            f"fell from {row.from_tier} to {row.to_tier} this week"
        )
    if red:
        held = read_current_tiers(session, [value_scheme.scheme_id])[value_scheme.scheme_id]
        top = held.loc[held["tier"] == value_scheme.tiers[0], "account_id"]
        for account_id in top[top.isin(red)]:
            signals.setdefault(int(account_id), []).insert(0, "red health score")
    if not signals:
        return section
    rows = session.execute(
        select(Account.id, Account.name, Account.arr_cents, User.name.label("csm_name"))
        .outerjoin(User, User.id == Account.csm_id)
        .where(Account.id.in_(list(signals)))
        .order_by(Account.arr_cents.desc(), Account.id)
        .limit(SECTION_ROWS)
    ).all()
    section["total"] = len(signals)
    section["accounts"] = [
        {
            "account_id": r.id,
            "account_name": r.name,
            "arr_cents": r.arr_cents,
            "csm_name": r.csm_name,
            "signals": signals[r.id],
        }
        for r in rows
    ]
    return section


def expiring_section(session: Session, ends_at: datetime, schemes: dict[int, SchemeTiers]) -> dict:
    """Return the overrides in force at the week's end that expire within 7 days of it."""
    rows, total = expiring_overrides(session, SYSTEM_ACTOR, ends_at, schemes)
    return {"total": total, "overrides": [json_row(r) for r in rows]}


def account_names(session: Session, account_ids: list[int]) -> dict[int, str]:
    """Return the names of a few accounts by id."""
    if not account_ids:
        return {}
    stmt = select(Account.id, Account.name).where(Account.id.in_(account_ids))
    return dict(session.execute(stmt).all())
