"""Scoring the book on a real database: inputs as of a day, precedence, history, backfill."""

from datetime import UTC, date, datetime

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import AccountCoverage, CoverageModel, HealthScore, Scorecard, Touch
from cstier.services.account_health.history import account_health
from cstier.services.account_health.scorecards import ensure_default_scorecard, save_scorecard
from cstier.services.account_health.scoring import backfill_scores, score_accounts
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.engagement import ensure_default_cadences, log_touch
from cstier.services.errors import ValidationFailed
from tests.factories import AccountFactory, UsageMetricFactory

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)

TWO_MEASURES = {
    "measures": [
        {"key": "usage", "input": "usage.wau", "weight": 60, "low": 0, "high": 100},
        {"key": "touch", "input": "days_since_touch", "weight": 40, "low": 100, "high": 0},
    ],
    "min_coverage": 0.5,
}


@pytest.fixture
def book(db_session):
    ensure_default_coverage(db.session)
    ensure_default_cadences(db.session)
    ensure_default_scorecard(db.session)
    db.session.commit()
    high = db.session.query(CoverageModel).filter_by(key="high_touch").one()
    accounts = [AccountFactory(attributes={"nps": 9}), AccountFactory()]
    db.session.add(AccountCoverage(account_id=accounts[0].id, coverage_model_id=high.id))
    db.session.commit()
    for month, value in ((1, 40.0), (2, 50.0)):
        UsageMetricFactory(account_id=accounts[0].id, metric="wau", period_start=date(2026, month, 1), value=value)  # fmt: skip
    db.session.add(
        Touch(account_id=accounts[0].id, kind="qbr", occurred_on=date(2026, 3, 1), note="")
    )
    db.session.commit()
    return accounts


def test_scores_carry_contributions_and_coverage(book):
    card = db.session.query(Scorecard).filter_by(scope="default").one()
    save_scorecard(db.session, SYSTEM_ACTOR, card.id,
                   {"name": "Default", "scope": "default", "definition": TWO_MEASURES}, card.version)  # fmt: skip
    summary = score_accounts(db.session, NOW)
    assert summary.accounts == 2
    first = db.session.query(HealthScore).filter_by(account_id=book[0].id).one()
    # usage 50 → 50 points × .6 = 30; touch 9 days ago → 91 points × .4 = 36.4
    assert first.score == pytest.approx(66.4)
    assert first.coverage == 1 and first.computed_band == "yellow"
    view = account_health(db.session, SYSTEM_ACTOR, book[0].id, NOW.date())
    usage, touch = view.measures
    assert (usage.key, usage.points, usage.contribution) == ("usage", 50, pytest.approx(30))
    assert touch.input == 9 and touch.weight_share == pytest.approx(0.4)
    second = db.session.query(HealthScore).filter_by(account_id=book[1].id).one()
    assert second.score is None and second.coverage == 0 and second.band == "insufficient"


def test_coverage_model_scorecard_takes_precedence(book):
    save_scorecard(db.session, SYSTEM_ACTOR, None, {"name": "High-touch", "scope": "coverage_model",
                   "scope_key": "high_touch", "definition": TWO_MEASURES})  # fmt: skip
    score_accounts(db.session, NOW)
    high = db.session.query(Scorecard).filter_by(scope="coverage_model").one()
    default = db.session.query(Scorecard).filter_by(scope="default").one()
    by_account = dict(db.session.query(HealthScore.account_id, HealthScore.scorecard_id))
    assert by_account == {book[0].id: high.id, book[1].id: default.id}


def test_weights_not_summing_to_100_are_refused(book):
    bad = {**TWO_MEASURES, "measures": [dict(TWO_MEASURES["measures"][0], weight=50),
                                        TWO_MEASURES["measures"][1]]}  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        save_scorecard(db.session, SYSTEM_ACTOR, None,
                       {"name": "X", "scope": "value_tier", "scope_key": "Scale", "definition": bad})  # fmt: skip
    assert "weights" in caught.value.errors
    assert db.session.query(Scorecard).count() == 1


def test_rescoring_a_day_replaces_it_and_backfill_scores_past_months(book):
    score_accounts(db.session, NOW)
    score_accounts(db.session, NOW)
    assert db.session.query(HealthScore).count() == 2
    summaries = backfill_scores(db.session, 3, NOW)
    assert [s.scored_on for s in summaries] == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert db.session.query(HealthScore).count() == 8


def test_log_touch_refuses_bad_input(book, csm):
    for values, field in (
        ({"kind": "lunch", "occurred_on": date(2026, 3, 1)}, "kind"),
        ({"kind": "call", "occurred_on": "yesterday"}, "occurred_on"),
        ({"kind": "call", "occurred_on": date(2026, 3, 11)}, "occurred_on"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            log_touch(db.session, SYSTEM_ACTOR, book[0].id, values, NOW.date())
        assert field in caught.value.errors
    assert db.session.query(Touch).count() == 1
    touch = log_touch(db.session, SYSTEM_ACTOR, book[0].id,
                      {"kind": "call", "occurred_on": date(2026, 3, 9), "note": "renewal"}, NOW.date())  # fmt: skip
    assert touch.id and db.session.query(Touch).count() == 2
    with pytest.raises(Exception) as caught:
        log_touch(db.session, Actor(csm.id, "csm"), book[0].id,
                  {"kind": "call", "occurred_on": date(2026, 3, 9)}, NOW.date())  # fmt: skip
    assert caught.type.__name__ == "NotFound"
