"""An onboarding plan as data: ordered milestones with target days from the start."""

import re
from dataclasses import dataclass

from cstier.domain.invalid import FieldInvalid

STATUSES = {
    "on_track": "On track",
    "at_risk": "At risk",
    "stalled": "Stalled",
    "completed": "Completed",
}

DEFAULT_MILESTONES: list[dict] = [
    {"key": "kickoff", "name": "Kickoff", "target_days": 7, "first_value": False},
    {"key": "technical_setup", "name": "Technical setup", "target_days": 21, "first_value": False},
    {"key": "first_value", "name": "First value", "target_days": 45, "first_value": True},
    {"key": "training", "name": "Training", "target_days": 60, "first_value": False},
    {"key": "adoption_review", "name": "Adoption review", "target_days": 90, "first_value": False},
]
DEFAULT_STALL_DAYS = 21
DEFAULT_OVERDUE_DAYS = 14


class PlanInvalid(FieldInvalid):
    """A plan breaks a rule; `field` names where."""


@dataclass(frozen=True)
class PlanMilestone:
    """One step of a plan."""

    key: str
    name: str
    target_days: int
    first_value: bool


def _whole(value, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise PlanInvalid(field, "must be a whole number") from None
    if not low <= number <= high:
        raise PlanInvalid(field, f"must be {low} to {high}")
    return number


def parse_plan(milestones: list, stall_days, overdue_days) -> tuple[list[PlanMilestone], int, int]:
    """Return the plan's milestones and thresholds, or raise PlanInvalid naming the field."""
    if not milestones:
        raise PlanInvalid("milestones", "give at least one milestone")
    steps = []
    for i, raw in enumerate(milestones):
        key = str(raw.get("key") or "").strip()
        if not re.match(r"^[a-z0-9_]{1,60}$", key):
            raise PlanInvalid(f"milestones[{i}].key", "use 1-60 lowercase letters, digits or _")
        name = str(raw.get("name") or "").strip()
        if not name or len(name) > 120:
            raise PlanInvalid(f"milestones[{i}].name", "give a name of at most 120 characters")
        days = _whole(raw.get("target_days"), f"milestones[{i}].target_days", 0, 3650)
        steps.append(PlanMilestone(key, name, days, bool(raw.get("first_value"))))
    if len({s.key for s in steps}) != len(steps):
        raise PlanInvalid("milestones", "milestone keys must be unique")
    if sum(s.first_value for s in steps) != 1:
        raise PlanInvalid("milestones", "mark exactly one milestone as first value")
    return (
        steps,
        _whole(stall_days, "stall_days", 1, 365),
        _whole(overdue_days, "overdue_days", 0, 365),
    )
