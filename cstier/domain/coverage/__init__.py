"""Coverage maths: model per tier pair, CSM load, headcount, owner suggestions, assignment checks."""

from cstier.domain.coverage.capacity import csm_loads, load_status
from cstier.domain.coverage.defaults import DEFAULT_MATRIX, DEFAULT_MODELS, MOTIONS
from cstier.domain.coverage.headcount import (
    current_headcount,
    headcount_plan,
    required_headcount,
)
from cstier.domain.coverage.matrix import coverage_for_tiers
from cstier.domain.coverage.suggest import suggest_owners
from cstier.domain.coverage.validate import Refusal, Target, blocking, refusals

__all__ = [
    "DEFAULT_MATRIX",
    "DEFAULT_MODELS",
    "MOTIONS",
    "Refusal",
    "Target",
    "blocking",
    "coverage_for_tiers",
    "csm_loads",
    "current_headcount",
    "headcount_plan",
    "load_status",
    "refusals",
    "required_headcount",
    "suggest_owners",
]
