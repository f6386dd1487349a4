"""The daily health pass the scheduler runs: onboarding statuses, then today's health scores."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cstier.models.base import utcnow
from cstier.services.account_health.scoring import ScoringSummary, score_accounts
from cstier.services.onboarding.check import OnboardingCheck, check_onboarding
from cstier.store.sizes import BatchSizes


@dataclass(frozen=True)
class DailyHealth:
    """What the daily pass checked and scored."""

    onboarding: OnboardingCheck
    scoring: ScoringSummary


def daily_health(
    session: Session, now: datetime | None = None, sizes: BatchSizes = BatchSizes()
) -> DailyHealth:
    """Recompute onboarding statuses first, since the health score reads them, then score."""
    now = now or utcnow()
    return DailyHealth(check_onboarding(session, now), score_accounts(session, now, sizes))
