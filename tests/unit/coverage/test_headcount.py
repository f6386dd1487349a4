"""Required headcount per model: accounts ÷ ratio and ARR ÷ target, rounded up; gap to current."""

import pandas as pd

from cstier.domain.coverage import current_headcount, headcount_plan, required_headcount
from cstier.domain.coverage.headcount import headcount_for_models
from tests.unit.coverage.conftest import HIGH, POOLED, TECH, book_frame, csm_frame


def test_required_rounds_up_and_takes_the_larger_of_count_and_arr(models):
    per_model = pd.DataFrame(
        {
            "coverage_model_id": [HIGH, POOLED],
            "accounts": [101, 300],
            "arr_cents": [20_000_000_00, 1],
        }
    )
    table = required_headcount(per_model, models).set_index("coverage_model_id")
    assert table.loc[HIGH, "by_count"] == 3
    assert table.loc[HIGH, "by_arr"] == 4
    assert table.loc[HIGH, "required"] == 4
    assert table.loc[POOLED, "required"] == 1
    assert pd.isna(table.loc[POOLED, "by_arr"])
    assert table.loc[TECH, "required"] == 0  # no accounts, nobody needed


def test_required_without_arr_column(models):
    per_model = pd.DataFrame({"coverage_model_id": [TECH], "accounts": [2001]})
    table = required_headcount(per_model, models).set_index("coverage_model_id")
    assert table.loc[TECH, "required"] == 2


def test_current_headcount_splits_fte_by_book_and_evenly_when_idle(models):
    csms = csm_frame(
        {"csm_id": 10, "model_ids": [HIGH, POOLED]},
        {"csm_id": 11, "model_ids": [POOLED, TECH], "fte": 0.5},
        {"csm_id": 12, "active": False, "model_ids": [TECH]},
    )
    book = book_frame([(1, 10, HIGH, 0)] * 25 + [(2, 10, POOLED, 0)] * 150)
    current = current_headcount(book, csms, models)
    assert current.to_dict() == {HIGH: 0.5, POOLED: 0.75, TECH: 0.25}


def test_plan_gap_is_required_minus_current(models):
    csms = csm_frame({"csm_id": 10})
    book = book_frame([(i, 10, HIGH, 0) for i in range(120)])
    plan = headcount_plan(book, csms, models).set_index("coverage_model_id")
    assert plan.loc[HIGH, "required"] == 3
    assert plan.loc[HIGH, "current"] == 1.0
    assert plan.loc[HIGH, "gap"] == 2.0


def test_headcount_for_models_counts_placed_accounts_and_sets_the_gap(models):
    model_ids = pd.Series([HIGH] * 101 + [pd.NA] * 5, dtype="Int64")
    arr_cents = pd.Series([0] * 100 + [None] + [10] * 5, dtype="float")
    current = pd.Series({HIGH: 1.5, POOLED: 2.0})
    table = headcount_for_models(model_ids, arr_cents, models, current).set_index(
        "coverage_model_id"
    )
    assert table.loc[HIGH, "accounts"] == 101  # accounts without a model are left out
    assert table.loc[HIGH, "required"] == 3
    assert table.loc[HIGH, "gap"] == 1.5
    assert (table.loc[POOLED, "required"], table.loc[POOLED, "gap"]) == (0, -2.0)
    assert table.loc[TECH, "current"] == 0.0
