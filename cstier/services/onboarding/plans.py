"""Onboarding plans: seeded per coverage model, read, and edited by managers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.onboarding.plans import (
    DEFAULT_MILESTONES,
    DEFAULT_OVERDUE_DAYS,
    DEFAULT_STALL_DAYS,
    PlanInvalid,
    parse_plan,
)
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import CoverageModel, OnboardingPlan
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write


def ensure_default_plans(session: Session) -> int:
    """Create the fallback plan and one per coverage model that has none; return plans created."""
    have = set(session.scalars(select(OnboardingPlan.coverage_model_id)))
    created = 0
    wanted = [(None, "Default onboarding")] + [
        (m.id, f"{m.name} onboarding")
        for m in session.scalars(select(CoverageModel).order_by(CoverageModel.sort_order))
    ]
    for model_id, name in wanted:
        if model_id in have:
            continue
        session.add(
            OnboardingPlan(
                coverage_model_id=model_id,
                name=name,
                milestones=[dict(m) for m in DEFAULT_MILESTONES],
                stall_days=DEFAULT_STALL_DAYS,
                overdue_days=DEFAULT_OVERDUE_DAYS,
            )
        )
        created += 1
    session.flush()
    return created


def list_plans(session: Session) -> list[OnboardingPlan]:
    """Return every plan, the fallback first."""
    return list(
        session.scalars(
            select(OnboardingPlan).order_by(
                OnboardingPlan.coverage_model_id.is_not(None), OnboardingPlan.name
            )
        )
    )


def get_plan(session: Session, plan_id: int) -> OnboardingPlan:
    """Return one plan or raise NotFound."""
    plan = session.get(OnboardingPlan, plan_id)
    if plan is None:
        raise NotFound("No such onboarding plan.")
    return plan


def save_plan(
    session: Session, actor: Actor, plan_id: int, values: dict, expected_version: int | None
) -> OnboardingPlan:
    """Replace a plan's milestones and thresholds (managers); refuse a bad plan naming the field."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit onboarding plans.")
        plan = get_plan(session, plan_id)
        try:
            steps, stall, overdue = parse_plan(
                values.get("milestones") or [], values.get("stall_days"), values.get("overdue_days")
            )
        except PlanInvalid as exc:
            raise ValidationFailed(str(exc), {exc.field: [str(exc)]}) from None

        check_version(plan, expected_version, "onboarding plan")
        with guarded_write(session, "onboarding plan"):
            plan.milestones = [
                {"key": s.key, "name": s.name, "target_days": s.target_days,
                 "first_value": s.first_value}
                for s in steps
            ]  # fmt: skip
            plan.stall_days, plan.overdue_days = stall, overdue
            plan.updated_at = utcnow()
    return plan
