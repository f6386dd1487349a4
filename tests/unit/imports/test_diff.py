"""Comparing incoming rows with stored ones, whatever types the database returned."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cstier.domain.imports.diff import changed_cells


def incoming() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": pd.Series(["A", None, "C", "D"], dtype=object),
            "arr": pd.array([100, None, 300, 400], dtype="Int64"),
            "renewal_date": pd.Series(
                ["2026-01-01", None, "2026-03-01", "2026-04-01"], dtype="datetime64[s]"
            ),
        }
    )


@pytest.mark.parametrize(
    "stored_dates",
    [
        ["2026-01-01", None, "2026-03-02", None],  # SQLite: ISO text
        [date(2026, 1, 1), None, date(2026, 3, 2), None],  # PostgreSQL: date objects
    ],
)
def test_changed_cells_compare_values_not_types(stored_dates):
    stored = pd.DataFrame(
        {
            "name": pd.Series(["A", np.nan, "X", "D"], dtype="str"),
            "arr": [100.0, np.nan, 300.0, 401.0],
            "renewal_date": pd.Series(stored_dates, dtype=object),
        }
    )
    diff = changed_cells(incoming(), stored)
    assert diff.to_dict("list") == {
        "name": [False, False, True, False],
        "arr": [False, False, False, True],
        "renewal_date": [False, False, True, True],
    }
