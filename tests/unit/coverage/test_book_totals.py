"""Loads from per-CSM, per-model totals equal the loads from the accounts one by one."""

import pandas as pd
import pytest

from cstier.domain.coverage import csm_loads
from cstier.domain.coverage.book_totals import loads_from_totals
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
