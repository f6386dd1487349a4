"""One account's MRR history: its MRR on the 1st of each recent month and today."""

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.metrics.book import frame_book
from cstier.domain.metrics.periods import add_months, day_number
from cstier.domain.metrics.snapshots import day_snapshots
from cstier.models import Account
from cstier.models.base import utcnow
from cstier.store.metric_reads import read_subscription_days

HISTORY_MONTHS = 24


@dataclass(frozen=True)
class MrrHistory:
    """The days measured and the account's MRR in cents on each (empty without subscriptions)."""

    days: list[date]
    mrr_cents: list[int]

    def chart(self) -> dict:
        """Return the series the account page's chart draws: labels and MRR in currency units."""
        return {
            "labels": [day.isoformat() for day in self.days],
            "mrr": [cents / 100 for cents in self.mrr_cents],
        }


def mrr_history(
    session: Session, account: Account, today: date | None = None, months: int = HISTORY_MONTHS
) -> MrrHistory:
    """Return the account's MRR on the 1st of each of the past `months` months, then today.

    The MRR on a day is the engine's: the subscriptions active that day (docs/metrics.md).
    """
    today = today or utcnow().date()
    book = frame_book(
        read_subscription_days(session, select(Account.id).where(Account.id == account.id))
    )
    if book.size == 0:
        return MrrHistory([], [])
    first = today.replace(day=1)
    days = [add_months(first, -back) for back in range(months - 1, -1, -1)]
    if today != first:
        days.append(today)
    numbers = np.array([day_number(day) for day in days], dtype=np.int64)
    return MrrHistory(days, [int(s.mrr[0]) for s in day_snapshots(book, numbers)])
