"""The back-test's churn outcomes and AUC, and cadence checks, by hand."""

from datetime import date

import pandas as pd
import pytest

from cstier.domain.engagement import cadence_compliance, engagement_inputs
from cstier.domain.health.backtest import auc, backtest, churn_outcomes, periods_of


def test_auc_by_ranks():
    score = pd.Series([10, 20, 30, 40])
    assert auc(score, pd.Series([True, True, False, False])) == 1.0
    assert auc(score, pd.Series([False, False, True, True])) == 0.0
    assert auc(pd.Series([10, 10]), pd.Series([True, False])) == 0.5
    assert auc(score, pd.Series([False] * 4)) is None


def test_churn_in_the_following_month():
    subscriptions = pd.DataFrame(
        {
            "account_id": [1, 2, 3],
            "start_date": [date(2025, 1, 1)] * 3,
            # account 2 ends on March 1st: running on Feb 1st, gone on March 1st
            "end_date": [None, date(2026, 3, 1), date(2026, 1, 15)],
        }
    )
    scores = pd.DataFrame(
        {
            "account_id": [1, 2, 3, 1],
            "scored_on": [
                date(2026, 1, 10),
                date(2026, 1, 10),
                date(2026, 1, 10),
                date(2026, 2, 3),
            ],
            "score": [80.0, 20.0, 10.0, 75.0],
            "band": ["green", "red", "red", "green"],
        }
    )
    outcomes = churn_outcomes(scores, subscriptions, date(2026, 3, 5))
    # account 3 no longer ran on Feb 1st: out; February's outcome is not known until April 1st
    assert sorted(outcomes["account_id"]) == [1, 2]
    assert periods_of(outcomes) == 1
    total = backtest(outcomes)[0]
    assert total.churned == 1 and total.bands["red"] == (1, 1, 1.0) and total.auc == 1.0


def test_cadence_kept_and_days_since_touch():
    accounts = pd.DataFrame({"coverage_model_id": [1, 1, 2, 3], "csm": ["a", "a", "b", "b"]},
                            index=[10, 11, 12, 13])  # fmt: skip
    touches = pd.DataFrame(
        {
            "account_id": [10, 11, 12, 12],
            "kind": ["qbr", "call", "email", "call"],
            "occurred_on": [
                date(2026, 1, 1),
                date(2026, 3, 1),
                date(2026, 2, 20),
                date(2026, 4, 2),
            ],
        }
    )
    cadences = pd.DataFrame({"coverage_model_id": [1, 2], "touch_kind": ["qbr", None],
                             "every_days": [92, 31]})  # fmt: skip
    out = engagement_inputs(accounts, touches, cadences, date(2026, 3, 15))
    assert out["days_since_touch"].tolist()[:3] == [73, 14, 23]
    assert pd.isna(out.loc[13, "days_since_touch"])
    # 10: a QBR 73 days ago (kept); 11: a call is not a QBR; 12: any touch within 31 days
    assert out["cadence_kept"].tolist()[:3] == [100, 0, 100]
    assert pd.isna(out.loc[13, "cadence_kept"])  # no cadence for model 3
    by_csm = cadence_compliance(out.join(accounts), "csm")
    assert by_csm.loc["a", "share"] == pytest.approx(0.5)
