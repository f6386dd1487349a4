"""Loads from per-CSM, per-model totals equal the loads from the accounts one by one."""

import pandas as pd
import pytest

from cstier.domain.coverage import csm_loads, headcount_plan
from cstier.domain.coverage.book_totals import headcount_from_totals, loads_from_totals
from tests.unit.coverage.test_added_load import MODELS

CSMS = pd.DataFrame(
    {
        "csm_id": [1, 2, 3],
        "name": ["A", "B", "C"],
        "active": [True, True, True],
        "fte": [1.0, 0.5, 1.0],
        "regions": [[], [], []],
        "verticals": [[], [], []],
        "model_ids": [[1], [2, 1], []],
    }
)


def test_totals_give_the_same_loads_as_the_accounts():
    book = pd.DataFrame(
        {
            "account_id": [1, 2, 3, 4, 5],
            "csm_id": pd.array([1, 1, 2, 2, 2], dtype="Int64"),
            "coverage_model_id": pd.array([1, 1, 2, None, 1], dtype="Int64"),
            "arr_cents": [300_000_00, 100_000_00, 5_000_00, 7_000_00, 900_000_00],
        }
    )
    totals = (
        book.groupby(["csm_id", "coverage_model_id"], dropna=False)
        .agg(accounts=("account_id", "size"), arr_cents=("arr_cents", "sum"))
        .reset_index()
    )

    by_accounts = csm_loads(book, CSMS, MODELS)
    by_totals = loads_from_totals(totals, CSMS, MODELS)

    pd.testing.assert_frame_equal(
        by_totals.reset_index(drop=True), by_accounts.reset_index(drop=True), check_dtype=False
    )
    assert by_totals["load"].tolist() == pytest.approx([8.0, 36.0, 0.0])


def test_totals_give_the_same_headcount_plan_as_the_accounts():
    book = pd.DataFrame(
        {
            "account_id": [1, 2, 3, 4, 5, 6, 7],
            "csm_id": pd.array([1, 1, 2, 2, 2, None, None], dtype="Int64"),
            "coverage_model_id": pd.array([1, 1, 2, None, 1, 2, None], dtype="Int64"),
            "arr_cents": [300_000_00, 100_000_00, 5_000_00, 7_000_00, 900_000_00, 4_000_00, 1],
        }
    )
    csms = CSMS.assign(model_ids=[[1], [2, 1], [2]])  # CSM 3 serves a model but owns nothing
    totals = (
        book.groupby(["csm_id", "coverage_model_id"], dropna=False)
        .agg(accounts=("account_id", "size"), arr_cents=("arr_cents", "sum"))
        .reset_index()
    )

    by_accounts = headcount_plan(book, csms, MODELS)
    by_totals = headcount_from_totals(totals, csms, MODELS)

    pd.testing.assert_frame_equal(by_totals, by_accounts, check_dtype=False)
    assert by_totals["accounts"].tolist()[:2] == [3, 2]
    assert by_totals["current"].sum() == pytest.approx(2.5)


def test_an_empty_book_needs_nobody_and_spreads_current_fte():
    totals = pd.DataFrame(
        {
            "csm_id": pd.array([], dtype="Int64"),
            "coverage_model_id": pd.array([], dtype="Int64"),
            "accounts": pd.Series([], dtype="int64"),
            "arr_cents": pd.Series([], dtype="int64"),
        }
    )
    plan = headcount_from_totals(totals, CSMS, MODELS)
    loads = loads_from_totals(totals, CSMS, MODELS)

    assert plan["required"].sum() == 0
    assert plan["current"].sum() == pytest.approx(1.5)  # CSM 3 serves no model
    assert loads["load"].tolist() == [0.0, 0.0, 0.0]
