"""A small book with a week of history for the weekly report: moves, a fall from the top, flags."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import (
    AccountCoverage,
    Handoff,
    TierChange,
    TierOverride,
    TierScheme,
    Workspace,
)
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, SubscriptionFactory, UsageMetricFactory

# 2026-W02 in UTC: Monday 5 January to Monday 12 January.
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
AFTER = datetime(2026, 1, 12, 7, 0, tzinfo=UTC)


def set_timezone(name: str) -> None:
    """Set the workspace's timezone, creating its row."""
    workspace = db.session.get(Workspace, 1) or Workspace(id=1)
    workspace.timezone = name
    db.session.add(workspace)
    db.session.commit()


def value_scheme() -> TierScheme:
    ensure_default_schemes(db.session)
    db.session.commit()
    return db.session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))


def record_change(account, from_tier, to_tier, at) -> None:
    scheme = value_scheme()
    db.session.add(
        TierChange(
            account_id=account.id, scheme_id=scheme.id, dimension="value", from_tier=from_tier,
            to_tier=to_tier, at=at, reason="rule", scheme_version=1,
        )
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def week_book(db_session, manager, csm, other_csm):
    """Accounts of 2026-W02: a top account that fell, a mover up, a flagged one, a gem."""
    scheme = value_scheme()
    fallen = AccountFactory(name="Fallen Star", arr_cents=900_000_00, csm=csm)
    riser = AccountFactory(name="<script>alert(1)</script>", arr_cents=400_000_00, csm=csm)
    flagged = AccountFactory(name="Flagged Co", arr_cents=50_000_00, csm=other_csm)
    gem = AccountFactory(name="Gem Co", arr_cents=10_000_00, csm=csm)
    for n in range(6):
        AccountFactory(name=f"Filler {n}", arr_cents=(20 + n) * 1_000_00)
    record_change(fallen, "Strategic", "Growth", MONDAY + timedelta(days=1))
    record_change(riser, "Growth", "Strategic", MONDAY + timedelta(days=2))
    db.session.add(
        AccountCoverage(account_id=flagged.id, needs_reassignment=True, suggested_owner_id=csm.id)
    )
    db.session.add(
        Handoff(account_id=flagged.id, from_csm_id=other_csm.id, to_csm_id=csm.id,
                due_date=date(2026, 1, 20), created_at=MONDAY)
    )  # fmt: skip
    db.session.add(
        TierOverride(account_id=riser.id, scheme_id=scheme.id, tier="Strategic", reason="pilot",
                     created_at=MONDAY, expires_at=AFTER + timedelta(days=3))
    )  # fmt: skip
    for month, value in ((10, 100.0), (11, 110.0), (12, 140.0)):
        UsageMetricFactory(account_id=gem.id, metric="seats_used",
                           period_start=date(2025, month, 1), value=value)  # fmt: skip
    SubscriptionFactory(account=flagged, start_date=date(2025, 1, 1), mrr_cents=1_000_00)
    SubscriptionFactory(account=flagged, start_date=date(2025, 12, 1), mrr_cents=500_00)
    db.session.commit()
    return {"fallen": fallen, "riser": riser, "flagged": flagged, "gem": gem}
