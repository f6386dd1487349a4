"""The daily onboarding check: start onboardings for new accounts, recompute every status."""

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from cstier.domain.onboarding.status import onboarding_status
from cstier.models import Account, AccountCoverage, AccountOnboarding, OnboardingPlan
from cstier.models.base import utcnow
from cstier.services.onboarding.plans import ensure_default_plans
from cstier.services.onboarding.steps import read_steps
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import read_frame
from cstier.store.onboarding_statuses import write_onboarding_statuses

NEW_STAGE = "onboarding"


@dataclass
class OnboardingCheck:
    """What the check did: onboardings started, checked, and how many per status."""

    started: int = 0
    checked: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def start_onboardings(session: Session) -> int:
    """Give each account in the onboarding stage without an onboarding one from its plan."""
    ensure_default_plans(session)
    plans = dict(session.execute(select(OnboardingPlan.coverage_model_id, OnboardingPlan.id)).all())
    stmt = (
        select(
            Account.id,
            AccountCoverage.coverage_model_id,
            func.coalesce(Account.contract_start_date, func.date(Account.created_at)),
        )
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .outerjoin(AccountOnboarding, AccountOnboarding.account_id == Account.id)
        .where(Account.lifecycle_stage == NEW_STAGE, AccountOnboarding.account_id.is_(None))
    )
    new = read_frame(session, stmt, ["account_id", "model_id", "start_date"])
    if new.empty:
        return 0
    fallback = plans[None]
    rows = [
        {"account_id": int(a), "plan_id": plans.get(None if pd.isna(m) else int(m), fallback),
         "start_date": pd.Timestamp(s).date(), "status": "on_track"}
        for a, m, s in zip(new["account_id"], new["model_id"], new["start_date"], strict=True)
    ]  # fmt: skip
    session.execute(insert(AccountOnboarding), rows)
    return len(rows)


def refresh_statuses(session: Session, now: datetime, account_ids: list[int] | None = None) -> int:
    """Recompute the status, first value and completion of onboardings; return how many."""
    steps = read_steps(session, account_ids)
    if steps.empty:
        return 0
    status = onboarding_status(steps, now.date())
    rows = zip(
        status.index.astype(int).tolist(),
        status["status"].tolist(),
        [_day(f) for f in status["first_value_on"]],
        [_day(c) for c in status["completed_on"]],
        strict=True,
    )
    session.flush()
    return write_onboarding_statuses(session, rows, now)


def _day(value) -> date | None:
    """Return a day from the domain's date, Timestamp or missing value."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def check_onboarding(session: Session, now: datetime | None = None) -> OnboardingCheck:
    """Start onboardings for new accounts and recompute every onboarding's status."""
    now = now or utcnow()
    with unit_of_work(session):
        started = start_onboardings(session)
        checked = refresh_statuses(session, now)
        counts = dict(
            session.execute(
                select(AccountOnboarding.status, func.count()).group_by(AccountOnboarding.status)
            ).all()
        )
    return OnboardingCheck(started, checked, counts)
