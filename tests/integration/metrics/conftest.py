"""A small book with subscription and segment history, shared by the metrics tests."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import AssignmentChange, Subscription, TierChange, TierScheme
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def subscribe(account, start: str, end: str | None, mrr_cents: int, product: str = "Core"):
    """Add one subscription to an account."""
    db.session.add(
        Subscription(
            external_id=f"S-{account.id}-{product}-{start}",
            account_id=account.id,
            product=product,
            start_date=date.fromisoformat(start),
            end_date=date.fromisoformat(end) if end else None,
            mrr_cents=mrr_cents,
        )
    )


def tier_move(account, scheme_id: int, tier: str, at: datetime) -> None:
    """Record a value tier change of an account at a time (UTC)."""
    db.session.add(
        TierChange(
            account_id=account.id,
            scheme_id=scheme_id,
            dimension="value",
            from_tier=None,
            to_tier=tier,
            at=at,
            reason="rule",
        )
    )


@pytest.fixture
def book(db_session, csm, other_csm):
    """Five accounts over January 2026: churned, expanded, contracted, new, reactivated."""
    return january_book(csm, other_csm)


def january_book(csm, other_csm) -> dict:
    """Write five accounts over January 2026: churned, expanded, contracted, new, reactivated."""
    ensure_default_schemes(db.session)
    value = db.session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    company = CompanyFactory(region="EMEA", industry="Software")
    names = ("Churner", "Grower", "Shrinker", "Newcomer", "Returner")
    accounts = {
        name: AccountFactory(name=name, company=company, plan=plan, csm=owner)
        for name, plan, owner in zip(
            names,
            ("Pro", "Pro", "Basic", None, "Basic"),
            (csm, csm, other_csm, csm, None),
            strict=True,
        )
    }
    subscribe(accounts["Churner"], "2025-01-01", "2026-01-20", 100_00)
    subscribe(accounts["Grower"], "2025-01-01", None, 200_00)
    subscribe(accounts["Grower"], "2026-01-10", None, 50_00, "Add-on")
    subscribe(accounts["Shrinker"], "2025-01-01", None, 300_00)
    subscribe(accounts["Shrinker"], "2025-01-01", "2026-01-15", 30_00, "Add-on")
    subscribe(accounts["Newcomer"], "2026-01-31", None, 40_00)
    subscribe(accounts["Returner"], "2025-01-01", "2025-06-01", 60_00)
    subscribe(accounts["Returner"], "2026-01-25", None, 70_00)
    early = datetime(2025, 1, 1, tzinfo=UTC)
    for name in ("Churner", "Grower"):
        tier_move(accounts[name], value.id, "Strategic", early)
    tier_move(accounts["Shrinker"], value.id, "Growth", early)
    tier_move(accounts["Shrinker"], value.id, "Strategic", datetime(2026, 1, 20, tzinfo=UTC))
    tier_move(accounts["Returner"], value.id, "Scale", datetime(2026, 1, 28, tzinfo=UTC))
    db.session.add(AssignmentChange(account_id=accounts["Grower"].id, to_csm_id=csm.id, at=early))
    db.session.commit()
    return accounts
