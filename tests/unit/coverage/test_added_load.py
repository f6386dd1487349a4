"""A CSM's load with one more account: count and ARR shares of their FTE."""

import pandas as pd
import pytest

from cstier.domain.coverage.added_load import load_after

MODELS = pd.DataFrame(
    {
        "coverage_model_id": [1, 2],
        "key": ["high_touch", "pooled"],
        "name": ["High-touch", "Pooled"],
        "accounts_per_csm": [50, 300],
        "arr_per_csm_cents": [5_000_000_00, None],
        "hard_limit_pct": [125, 125],
    }
)


def test_each_addition_adds_its_own_share_to_the_csms_load():
    loads = pd.DataFrame({"csm_id": [7], "fte": [0.5], "load_pct": [40.0], "arr_load_pct": [None]})
    additions = pd.DataFrame(
        {"account_id": [1, 2], "csm_id": [7, 7], "coverage_model_id": [1, 2],
         "arr_cents": [500_000_00, 1_00]}
    )  # fmt: skip
    after = load_after(loads, additions, MODELS)
    # High-touch: 1/50 of a CSM on half an FTE is 4 %; 500k of a 5M target on half an FTE is 20 %.
    assert after.tolist() == pytest.approx([44.0, 40.7])


def test_a_csm_without_a_book_starts_from_zero():
    loads = pd.DataFrame(columns=["csm_id", "fte", "load_pct", "arr_load_pct"])
    additions = pd.DataFrame(
        {"account_id": [1], "csm_id": [9], "coverage_model_id": [2], "arr_cents": [0]}
    )
    assert load_after(loads, additions, MODELS).tolist() == pytest.approx([0.3])
