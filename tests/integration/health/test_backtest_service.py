"""The back-test over stored history: not enough history, then churn by band and AUC."""

from datetime import UTC, date, datetime

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.services.account_health.history import account_health
from cstier.services.account_health.overrides import set_override
from cstier.services.account_health.scoring import backfill_scores, score_accounts
from cstier.services.account_health.segments import health_backtest, health_distribution
from cstier.services.errors import ValidationFailed
from tests.factories import AccountFactory, SubscriptionFactory, UsageMetricFactory

NOW = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)


@pytest.fixture
def history(db_session):
    healthy, failing = (
        AccountFactory(renewal_date=date(2026, 12, 1)),
        AccountFactory(renewal_date=date(2026, 12, 1)),
    )
    SubscriptionFactory(account=healthy)
    SubscriptionFactory(account=failing, end_date=date(2026, 5, 1))  # gone on May 1st
    for month in range(1, 6):
        UsageMetricFactory(account_id=healthy.id, period_start=date(2026, month, 1), value=60.0)
        UsageMetricFactory(
            account_id=failing.id, period_start=date(2026, month, 1), value=5.0 / month
        )
    db.session.commit()
    return healthy, failing


def test_not_enough_history_then_numbers(history):
    score_accounts(db.session, NOW)
    (result,) = health_backtest(db.session, SYSTEM_ACTOR, "csm", NOW.date())
    assert result.periods == 0 and not result.enough and result.rows == []
    backfill_scores(db.session, 4, NOW)  # March to June 1st... scores on Mar 1, Apr 1, May 1, Jun 1
    (result,) = health_backtest(db.session, SYSTEM_ACTOR, "csm", NOW.date())
    # March's outcome (running April 1st, gone May 1st) and April's (gone by May 1st... not running)
    assert result.periods >= 2 and result.enough
    total = result.rows[0]
    assert total.churned == 1 and total.auc == 1.0


def test_override_and_history_view(history):
    healthy, failing = history
    score_accounts(db.session, datetime(2026, 6, 1, tzinfo=UTC))
    score_accounts(db.session, NOW)
    with pytest.raises(ValidationFailed) as caught:
        set_override(db.session, SYSTEM_ACTOR, failing.id, {"band": "blue", "reason": "x"}, NOW)
    assert "band" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        set_override(db.session, SYSTEM_ACTOR, failing.id,
                     {"band": "green", "reason": "exec sponsor", "expires_on": date(2026, 6, 1)}, NOW)  # fmt: skip
    assert "expires_on" in caught.value.errors
    set_override(db.session, SYSTEM_ACTOR, failing.id,
                 {"band": "green", "reason": "exec sponsor", "expires_on": date(2026, 7, 1)}, NOW)  # fmt: skip
    score_accounts(db.session, NOW)
    view = account_health(db.session, SYSTEM_ACTOR, failing.id, NOW.date())
    assert view.score.band == "green" and view.score.computed_band != "green"
    assert view.before is not None and view.before.scored_on == date(2026, 6, 1)
    assert [line.key for line in view.measures][0] == "usage_level"
    assert len(view.trend) == 2 and view.overrides
    day, table = health_distribution(db.session, SYSTEM_ACTOR, "csm")
    assert day == NOW.date() and table.loc["All accounts"].sum() == 2


def test_backfill_months_bounds(history):
    with pytest.raises(ValidationFailed):
        backfill_scores(db.session, 0, NOW)
