"""Read onboardings with their plan's steps and the completions recorded against them."""

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.models import AccountOnboarding, OnboardingMilestone, OnboardingPlan
from cstier.store.bulk_reads import read_frame
from cstier.store.range_reads import AccountRange


def plan_steps(session: Session) -> pd.DataFrame:
    """Return one row per plan milestone: plan_id, key, name, target_days, first_value, order."""
    rows = [
        {"plan_id": plan.id, "key": m["key"], "name": m["name"],
         "target_days": int(m["target_days"]), "first_value": bool(m["first_value"]),
         "order": i, "stall_days": plan.stall_days, "overdue_days": plan.overdue_days}
        for plan in session.scalars(select(OnboardingPlan))
        for i, m in enumerate(plan.milestones)
    ]  # fmt: skip
    columns = ["plan_id", "key", "name", "target_days", "first_value", "order", "stall_days",
               "overdue_days"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def read_steps(
    session: Session,
    account_ids: list[int] | None = None,
    accounts: AccountRange | None = None,
) -> pd.DataFrame:
    """Return every onboarding's steps with due dates and completion dates (the earliest row).

    Of the `account_ids` only, or of the accounts in the id range `accounts`, when given.
    """
    onboardings = select(
        AccountOnboarding.account_id, AccountOnboarding.plan_id, AccountOnboarding.start_date
    )
    done = select(
        OnboardingMilestone.account_id,
        OnboardingMilestone.plan_milestone,
        func.min(OnboardingMilestone.completed_on),
    ).where(OnboardingMilestone.plan_milestone.is_not(None))
    if account_ids is not None:
        onboardings = onboardings.where(AccountOnboarding.account_id.in_(account_ids))
        done = done.where(OnboardingMilestone.account_id.in_(account_ids))
    if accounts is not None:
        onboardings = onboardings.where(AccountOnboarding.account_id.between(*accounts))
        done = done.where(OnboardingMilestone.account_id.between(*accounts))
    done = done.group_by(OnboardingMilestone.account_id, OnboardingMilestone.plan_milestone)
    started = read_frame(session, onboardings, ["account_id", "plan_id", "start_date"])
    completions = read_frame(session, done, ["account_id", "key", "completed_on"])
    steps = started.merge(plan_steps(session), on="plan_id").merge(
        completions, on=["account_id", "key"], how="left"
    )
    start = pd.to_datetime(steps["start_date"])
    steps["start_date"] = start.dt.date
    steps["due_date"] = (start + pd.to_timedelta(steps["target_days"], unit="D")).dt.date
    done = pd.to_datetime(steps["completed_on"])
    steps["completed_on"] = np.where(done.notna(), done.dt.date, None)
    return steps.sort_values(["account_id", "order"], ignore_index=True)


def as_of(steps: pd.DataFrame, day: date) -> pd.DataFrame:
    """Return the onboardings that had started by the day."""
    return steps[pd.to_datetime(steps["start_date"]) <= pd.Timestamp(day)]
