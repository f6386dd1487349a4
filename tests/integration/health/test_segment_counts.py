"""Health bands and onboardings per segment are counted in SQL: the same as each account's segment."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import AccountCoverage, CoverageModel, HealthScore, TierScheme
from cstier.services.account_health.scoring import score_accounts
from cstier.services.account_health.segments import health_distribution
from cstier.services.book_segments import SEGMENT_FIELDS, account_segments
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.onboarding.check import check_onboarding
from cstier.services.onboarding.segments import onboarding_by_segment
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.store.tier_blocks import store_tiers
from tests.factories import AccountFactory, SubscriptionFactory, UsageMetricFactory

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def segmented(db_session, csm, other_csm):
    """Five accounts: with and without an owner, a coverage model, a value tier; two onboarding."""
    ensure_default_schemes(db.session)
    ensure_default_coverage(db.session)
    db.session.commit()
    started = {"lifecycle_stage": "onboarding", "contract_start_date": date(2026, 2, 1)}
    accounts = [
        AccountFactory(csm=csm, **started),
        AccountFactory(csm=csm),
        AccountFactory(csm=other_csm, **started),
        AccountFactory(csm=None),
        AccountFactory(csm=other_csm),
    ]
    for number, account in enumerate(accounts):
        SubscriptionFactory(account=account)
        for month in (1, 2):
            UsageMetricFactory(
                account_id=account.id, period_start=date(2026, month, 1), value=10.0 * number
            )
    models = db.session.scalars(select(CoverageModel).order_by(CoverageModel.id)).all()
    db.session.add(AccountCoverage(account_id=accounts[0].id, coverage_model_id=models[0].id))
    db.session.add(AccountCoverage(account_id=accounts[2].id, coverage_model_id=models[-1].id))
    db.session.add(AccountCoverage(account_id=accounts[4].id, coverage_model_id=None))
    value = db.session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    tiers = [band["tier"] for band in value.current.definition["bands"]]
    store_tiers(db.session, value.id, [accounts[0].id, accounts[1].id], [tiers[0], tiers[-1]])
    db.session.commit()
    score_accounts(db.session, NOW)
    check_onboarding(db.session, NOW)
    return accounts


def expected_distribution(by: str, account_ids: set[int] | None = None) -> pd.DataFrame:
    """Return the bands per segment from each account's segment, as the page showed them."""
    day = db.session.scalar(select(HealthScore.scored_on).order_by(HealthScore.scored_on.desc()))
    scores = pd.DataFrame(
        db.session.execute(
            select(HealthScore.account_id, HealthScore.band).where(HealthScore.scored_on == day)
        ).all(),
        columns=["account_id", "band"],
    )
    if account_ids is not None:
        scores = scores[scores["account_id"].isin(account_ids)]
    segment = scores["account_id"].map(account_segments(db.session, by))
    scores["segment"] = segment.astype(object).fillna("(none)")
    table = pd.crosstab(scores["segment"], scores["band"])
    total = pd.DataFrame([table.sum()], index=["All accounts"])
    columns = [b for b in ("red", "yellow", "green", "insufficient") if b in table.columns]
    return pd.concat([total, table])[columns]


@pytest.mark.parametrize("by", list(SEGMENT_FIELDS))
def test_bands_per_segment_match_each_accounts_segment(segmented, by):
    day, table = health_distribution(db.session, SYSTEM_ACTOR, by)
    assert day == NOW.date()
    assert table.loc["All accounts"].sum() == 5
    assert "(none)" in table.index  # every field leaves one of the five accounts out
    pd.testing.assert_frame_equal(table, expected_distribution(by), check_names=False)


def test_a_csm_counts_only_their_accounts(segmented, csm):
    mine = {segmented[0].id, segmented[1].id}
    day, table = health_distribution(db.session, Actor(csm.id, "csm"), "coverage_model")
    assert table.loc["All accounts"].sum() == 2
    pd.testing.assert_frame_equal(
        table, expected_distribution("coverage_model", mine), check_names=False
    )


@pytest.mark.parametrize("by", list(SEGMENT_FIELDS))
def test_onboardings_per_segment_match_each_accounts_segment(segmented, by):
    table = onboarding_by_segment(db.session, SYSTEM_ACTOR, by, NOW.date())
    segments = account_segments(db.session, by)
    names = {segments.get(a.id, "(none)") for a in (segmented[0], segmented[2])}
    assert table.loc["All accounts", "onboarding"] == 2
    assert set(table.index) == {"All accounts", *names}
    assert table.drop(index="All accounts")["onboarding"].sum() == 2
