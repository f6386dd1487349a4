"""The totals pages serve instead of summing the whole book, stored after each run.

The recent weeks' tier reviews (services/week_review.py) are stored alongside.

Tier totals (services/tiering/tier_totals.py) and owner totals
(services/coverage/owner_totals.py) each hold until a write marks them (migration 0041);
the pages count live meanwhile, so storing is an optimisation, never a condition.
"""

import logging

from sqlalchemy.orm import Session

from cstier.services.coverage.owner_totals import store_owner_totals
from cstier.services.dashboards.renewal_totals import store_renewal_totals
from cstier.services.tiering.tier_totals import store_tier_totals
from cstier.services.week_review import store_week_reviews

log = logging.getLogger(__name__)


def store_page_totals(session: Session) -> None:
    """Store the tier, owner and renewal totals and the recent weeks' reviews, each in its own transaction."""
    store_tier_totals(session)
    store_owner_totals(session)
    store_renewal_totals(session)
    store_week_reviews(session)


def store_after_run(session: Session) -> None:
    """Store the page totals after a run; on failure the pages count live, so the run stands."""
    try:
        store_page_totals(session)
    except Exception:
        log.exception("storing the page totals failed; the pages count live until the next run")
