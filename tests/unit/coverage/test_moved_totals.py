"""Each model's ARR and account count after a derivation moves some accounts."""

import pandas as pd

from cstier.domain.coverage.loads import moved_totals
from tests.unit.coverage.conftest import HIGH, POOLED, TECH

NA = pd.NA


def test_moved_accounts_leave_their_old_model_and_join_the_new_one():
    totals = pd.DataFrame(
        {"arr_cents": [900.0, 300.0], "accounts": [3.0, 3.0]}, index=[HIGH, POOLED]
    )
    accounts = pd.Index([1, 2, 3, 4])
    arr = pd.Series([400.0, 100.0, 50.0, 70.0], index=accounts)
    before = pd.Series([HIGH, POOLED, NA, POOLED], index=accounts, dtype="Int64")
    after = pd.Series([TECH, HIGH, POOLED, NA], index=accounts, dtype="Int64")
    moved = moved_totals(totals, arr, before, after)
    assert moved.to_dict("index") == {
        HIGH: {"arr_cents": 900.0 - 400 + 100, "accounts": 3.0},
        POOLED: {"arr_cents": 300.0 - 100 - 70 + 50, "accounts": 2.0},
        TECH: {"arr_cents": 400.0, "accounts": 1.0},
    }


def test_a_model_left_without_accounts_is_dropped():
    totals = pd.DataFrame({"arr_cents": [500.0], "accounts": [1.0]}, index=[HIGH])
    accounts = pd.Index([1])
    before = pd.Series([HIGH], index=accounts, dtype="Int64")
    after = pd.Series([NA], index=accounts, dtype="Int64")
    moved = moved_totals(totals, pd.Series([500.0], index=accounts), before, after)
    assert moved.empty
