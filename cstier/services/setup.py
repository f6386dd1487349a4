"""Set a workspace up: the default tier schemes and coverage models it starts with."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from cstier.services.account_health.scorecards import ensure_default_scorecard
from cstier.services.alerts_delivery.rules import ensure_default_rules
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.engagement import ensure_default_cadences
from cstier.services.onboarding.plans import ensure_default_plans
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class WorkspaceDefaults:
    """How many default schemes and coverage models setting up the workspace created."""

    schemes: int
    coverage_models: int
    alert_rules: int = 0


def seed_workspace_defaults(session: Session) -> WorkspaceDefaults:
    """Create the default schemes, coverage models, alert rules and health defaults missing.

    The health defaults are the onboarding plans, the touch cadences and the default scorecard;
    all of it happens in the caller's transaction.
    """
    defaults = WorkspaceDefaults(
        schemes=len(ensure_default_schemes(session)),
        coverage_models=ensure_default_coverage(session),
        alert_rules=ensure_default_rules(session),
    )
    ensure_default_plans(session)
    ensure_default_cadences(session)
    ensure_default_scorecard(session)
    return defaults


def set_up_workspace(session: Session) -> WorkspaceDefaults:
    """Create the missing default schemes and coverage models as one unit of work."""
    with unit_of_work(session):
        return seed_workspace_defaults(session)
