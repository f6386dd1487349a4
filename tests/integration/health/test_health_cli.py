"""The onboarding and health commands call the same services as the pages."""

from datetime import date

from cstier.extensions import db
from cstier.models import AccountOnboarding, HealthScore
from tests.factories import AccountFactory


def test_onboarding_check_and_health_score(runner, db_session):
    account = AccountFactory(lifecycle_stage="onboarding", contract_start_date=date(2026, 1, 1))
    result = runner.invoke(args=["onboarding", "check"])
    assert result.exit_code == 0, result.output
    assert "1 onboardings started" in result.output
    assert db.session.get(AccountOnboarding, account.id) is not None
    result = runner.invoke(args=["health", "score"])
    assert result.exit_code == 0, result.output
    assert "1 accounts scored" in result.output
    assert db.session.query(HealthScore).count() == 1


def test_backfill_scores_past_months_and_refuses_bad_months(runner, db_session):
    AccountFactory()
    result = runner.invoke(args=["health", "backfill", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert db.session.query(HealthScore.scored_on).distinct().count() == 3
    result = runner.invoke(args=["health", "backfill", "--months", "0"])
    assert result.exit_code != 0 and "months" in result.output
