"""One account's onboarding: its steps for the account page, and completing a step."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.onboarding.plans import STATUSES
from cstier.domain.permissions import Actor, can_edit_account
from cstier.models import AccountOnboarding, OnboardingMilestone, OnboardingPlan
from cstier.models.base import utcnow
from cstier.services.accounts import get_account
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.onboarding.check import refresh_statuses
from cstier.services.onboarding.steps import read_steps
from cstier.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class Step:
    """One milestone of an account's onboarding."""

    key: str
    name: str
    due_date: date
    completed_on: date | None
    first_value: bool


@dataclass(frozen=True)
class OnboardingProgress:
    """An account's onboarding as the account page shows it."""

    plan_name: str
    start_date: date
    status: str
    status_label: str
    first_value_on: date | None
    time_to_first_value: int | None
    steps: list[Step]

    @property
    def done(self) -> int:
        """Return how many steps are completed."""
        return sum(s.completed_on is not None for s in self.steps)


def account_onboarding(
    session: Session, actor: Actor, account_id: int
) -> OnboardingProgress | None:
    """Return the account's onboarding, or None when it has none."""
    get_account(session, actor, account_id)
    onboarding = session.get(AccountOnboarding, account_id)
    if onboarding is None:
        return None
    plan = session.get(OnboardingPlan, onboarding.plan_id)
    steps = read_steps(session, [account_id])
    ttfv = (
        (onboarding.first_value_on - onboarding.start_date).days
        if onboarding.first_value_on
        else None
    )
    return OnboardingProgress(
        plan.name,
        onboarding.start_date,
        onboarding.status,
        STATUSES.get(onboarding.status, onboarding.status),
        onboarding.first_value_on,
        ttfv,
        [
            Step(k, n, d, c, bool(f))
            for k, n, d, c, f in zip(
                steps["key"],
                steps["name"],
                steps["due_date"],
                steps["completed_on"],
                steps["first_value"],
                strict=True,
            )
        ],  # fmt: skip
    )


def complete_milestone(
    session: Session,
    actor: Actor,
    account_id: int,
    key: str,
    completed_on: date,
    now: datetime | None = None,
) -> None:
    """Record the day a plan milestone was completed and recompute the onboarding's status."""
    now = now or utcnow()
    with unit_of_work(session):
        account = get_account(session, actor, account_id)
        if not can_edit_account(actor, account.csm_id):
            raise Forbidden("You may not edit this account.")
        onboarding = session.get(AccountOnboarding, account_id)
        if onboarding is None:
            raise ValidationFailed("This account has no onboarding.", {"key": ["no onboarding"]})
        plan = session.get(OnboardingPlan, onboarding.plan_id)
        named = {m["key"]: m["name"] for m in plan.milestones}
        if key not in named:
            message = f"not a milestone of the plan ({', '.join(named)})"
            raise ValidationFailed(f"key: {message}", {"key": [message]})
        if completed_on < onboarding.start_date:
            message = f"before the onboarding started on {onboarding.start_date.isoformat()}"
            raise ValidationFailed(f"completed_on: {message}", {"completed_on": [message]})
        if completed_on > now.date():
            message = "is in the future"
            raise ValidationFailed(f"completed_on: {message}", {"completed_on": [message]})
        external_id = f"onboarding-{account_id}-{key}"
        row = session.scalar(
            select(OnboardingMilestone).where(OnboardingMilestone.external_id == external_id)
        )
        if row is None:
            row = OnboardingMilestone(external_id=external_id, account_id=account_id)
            session.add(row)
        row.name, row.plan_milestone, row.completed_on = named[key], key, completed_on
        session.flush()
        refresh_statuses(session, now, [account_id])
