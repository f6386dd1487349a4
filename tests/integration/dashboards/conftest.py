"""A small book that moved last week: owners, flagged accounts, an overloaded CSM, renewals."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.models import TierOverride, TierScheme
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory, UserFactory
from tests.integration.coverage.conftest import give_profile
from tests.integration.tiering.conftest import set_arr

# Wednesday of ISO week 2026-W11; the last full week is W10 (2 to 8 March).
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
W09_RUN = datetime(2026, 2, 25, 6, 0, tzinfo=UTC)
W10_RUN = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)


@dataclass
class MondayBook:
    """The accounts and people of the book, by role in the story."""

    falling: object  # Strategic -> Growth (down), owned by the high-touch CSM: flagged
    rising: object  # Growth -> Strategic (up), owned by the pooled CSM: flagged
    jumping: object  # Scale -> Strategic (up), owned by the pooled CSM: flagged
    steady: object  # stays Strategic, owned by the overloaded CSM
    unowned: object  # Scale -> Growth (up), nobody owns it: not flagged
    high_touch: object
    pooled: object
    busy: object
    runs: list


def run_and_record(session, now) -> int:
    """Run a re-tier, which stores its tier and coverage mix."""
    return retier_book(session, SYSTEM_ACTOR, trigger="cli", now=now).run_id


@pytest.fixture
def monday(db_session) -> MondayBook:
    """Tier the book in W09, move it in W10, and leave one override expiring this week."""
    return build_monday_book(db_session)


def build_monday_book(db_session) -> MondayBook:
    """Build the book: tiered in W09, moved in W10, one override expiring this week."""
    ensure_default_schemes(db_session)
    ensure_default_coverage(db_session)
    db_session.commit()
    high_touch = UserFactory(role="csm", name="Hana High")
    pooled = UserFactory(role="csm", name="Pia Pooled")
    busy = UserFactory(role="csm", name="Bo Busy")
    give_profile(high_touch, ["high_touch"])
    give_profile(pooled, ["pooled", "tech_touch"])
    give_profile(busy, ["high_touch"], fte="0.01")
    company = CompanyFactory(region="EMEA", industry="Software")
    today = NOW.date()

    def account(name, arr, owner, renews_in):
        return AccountFactory(
            name=name,
            company=company,
            arr_cents=arr * 100,
            csm=owner,
            renewal_date=today + timedelta(days=renews_in),
        )

    book = MondayBook(
        falling=account("Falling", 300_000, high_touch, 200),
        rising=account("Rising", 60_000, pooled, 30),
        jumping=account("Jumping", 30_000, pooled, 120),
        steady=account("Steady", 500_000, busy, 89),
        unowned=account("Unowned", 20_000, None, 60),
        high_touch=high_touch,
        pooled=pooled,
        busy=busy,
        runs=[],
    )
    book.runs.append(run_and_record(db_session, W09_RUN))
    for moved, arr in ((book.falling, 100_000), (book.rising, 400_000), (book.jumping, 280_000),
                       (book.unowned, 90_000)):  # fmt: skip
        set_arr(moved, arr)
    book.runs.append(run_and_record(db_session, W10_RUN))
    value = db_session.query(TierScheme).filter_by(key="value_tiers").one()
    for days in (3, 10):
        db_session.add(
            TierOverride(
                account_id=book.steady.id,
                scheme_id=value.id,
                tier="Strategic",
                reason="Board seat",
                expires_at=NOW + timedelta(days=days),
                created_at=W09_RUN,
            )
        )
    db_session.commit()
    return book
