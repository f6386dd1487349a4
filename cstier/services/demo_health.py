"""Give a freshly loaded demo book onboardings and a few months and weeks of health scores."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from cstier.models.base import utcnow
from cstier.services.account_health.scoring import score_day
from cstier.services.onboarding.check import refresh_statuses, start_onboardings
from cstier.services.unit_of_work import unit_of_work

MONTHS_BACK = 6
WEEKS_BACK = 4


@dataclass(frozen=True)
class DemoHealth:
    """Onboardings started and the days scored."""

    onboardings: int
    days_scored: int


def seed_demo_health(session: Session, now: datetime | None = None) -> DemoHealth:
    """Start onboardings and score the 1st of past months, then each past week and today."""
    now = now or utcnow()
    today = now.date()
    first = pd.Timestamp(today).to_period("M")
    months = [(first - back).to_timestamp().date() for back in range(MONTHS_BACK, 0, -1)]
    weeks = [today - timedelta(weeks=back) for back in range(WEEKS_BACK, -1, -1)]
    days = sorted(set(months) | set(weeks))
    with unit_of_work(session):
        started = start_onboardings(session)
        refresh_statuses(session, now)
        for day in days:
            score_day(session, day, now)
    return DemoHealth(started, len(days))
