"""Onboarding figures per segment: onboarding, % on track, stalled, TTFV, on-time completion."""

import json
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.onboarding.status import onboarding_summary
from cstier.domain.permissions import Actor
from cstier.models import Account, AccountOnboarding, OnboardingPlan
from cstier.models.base import utcnow
from cstier.services.book_segments import with_segment
from cstier.store.bulk_reads import read_frame


def onboarding_by_segment(
    session: Session, actor: Actor, by: str, today: date | None = None
) -> pd.DataFrame:
    """Return the onboarding figures per segment of the actor's book, with a total row."""
    today = today or utcnow().date()
    stmt = select(
        AccountOnboarding.account_id,
        AccountOnboarding.status,
        AccountOnboarding.start_date,
        AccountOnboarding.completed_on,
        AccountOnboarding.first_value_on,
        OnboardingPlan.milestones,
    ).join(OnboardingPlan, AccountOnboarding.plan_id == OnboardingPlan.id)
    if actor.role == "csm":
        stmt = stmt.join(Account, Account.id == AccountOnboarding.account_id).where(
            Account.csm_id == actor.user_id
        )
    stmt = with_segment(session, stmt, by, AccountOnboarding.account_id)
    columns = [
        "account_id",
        "status",
        "start_date",
        "completed_on",
        "first_value_on",
        "plan",
        "segment",
    ]
    frame = read_frame(session, stmt, columns)
    plans = frame["plan"].map(lambda p: p if isinstance(p, list) else json.loads(p))
    frame["target_days"] = plans.map(lambda p: max(int(m["target_days"]) for m in p))
    frame["time_to_first_value"] = (
        pd.to_datetime(frame["first_value_on"]) - pd.to_datetime(frame["start_date"])
    ).dt.days
    per_segment = onboarding_summary(frame, today)
    total = onboarding_summary(frame.assign(segment="All accounts"), today)
    return pd.concat([total, per_segment])
