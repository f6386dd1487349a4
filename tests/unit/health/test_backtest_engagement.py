"""The back-test's churn outcomes and AUC, and cadence checks, by hand."""

from datetime import date

import pandas as pd
import pytest

from cstier.domain.engagement import cadence_compliance, engagement_inputs
from cstier.domain.health.backtest import auc, backtest, churn_outcomes, periods_of
from cstier.domain.metrics import Period, churn_report, one_segment, retention
from tests.unit.metrics.books import book


def test_auc_by_ranks():
    score = pd.Series([10, 20, 30, 40])
    assert auc(score, pd.Series([True, True, False, False])) == 1.0
    assert auc(score, pd.Series([False, False, True, True])) == 0.0
    assert auc(pd.Series([10, 10]), pd.Series([True, False])) == 0.5
    assert auc(score, pd.Series([False] * 4)) is None


def test_churn_in_the_following_month():
    subscriptions = book(
        (1, "2025-01-01", None, 100_00),
        # account 2 ends on March 1st: running on Feb 1st, gone on March 1st
        (2, "2025-01-01", "2026-03-01", 100_00),
        (3, "2025-01-01", "2026-01-15", 100_00),
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


def test_the_back_test_counts_churn_as_the_metrics_engine_does():
    # February's cohort is whoever runs on Feb 1st; churned, whoever no longer runs on Mar 1st.
    subscriptions = book(
        (1, "2025-06-01", "2026-02-01", 100_00),  # ends on the cohort day: not in it
        (2, "2026-02-01", None, 100_00),  # starts on the cohort day: in it, retained
        (3, "2025-06-01", "2026-03-01", 100_00),  # ends on the outcome day: churned
        (4, "2026-03-01", None, 100_00),  # starts on the outcome day: new, not in the cohort
        (5, "2025-06-01", "2026-02-10", 100_00),  # churns, then returns inside: retained
        (5, "2026-02-20", None, 100_00),
        (6, "2026-02-01", "2026-02-01", 100_00),  # ends on its start day: never runs
        (7, "2025-06-01", "2026-02-02", 100_00),  # runs one day into the month: churned
    )
    scores = pd.DataFrame(
        {
            "account_id": list(range(1, 8)),
            "scored_on": [date(2026, 1, 20)] * 7,
            "score": [50.0] * 7,
            "band": ["yellow"] * 7,
        }
    )
    outcomes = churn_outcomes(scores, subscriptions, date(2026, 3, 1))
    assert dict(zip(outcomes["account_id"], outcomes["churned"], strict=True)) == {
        2: False,
        3: True,
        5: False,
        7: True,
    }
    february = Period(date(2026, 2, 1), date(2026, 3, 1))
    engine = churn_report(retention(subscriptions, [february], one_segment(subscriptions)))["total"]
    assert engine["accounts_start"] == len(outcomes)
    assert engine["accounts_churned"] == int(outcomes["churned"].sum())
    # The outcome of a month not yet ended is unknown.
    assert churn_outcomes(scores, subscriptions, date(2026, 2, 28)).empty


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
