import numpy as np

from cstier.domain.tiering import evaluate, parse_scheme
from cstier.domain.tiering.percentiles import percentile_position
from tests.unit.tiering.conftest import FIELDS, accounts

SHARES = [
    {"tier": "Top", "share": 10},
    {"tier": "Next", "share": 30},
    {"tier": "Rest", "share": 60},
]


def scheme(**extra):
    return parse_scheme(
        {"dimension": "value", "method": "percentiles", "percentiles": SHARES, **extra}, FIELDS
    )


def test_top_ten_next_thirty_rest():
    result = evaluate(scheme(), accounts(arr=[float(v) for v in range(10, 0, -1)]))
    assert result["tier"].tolist() == ["Top"] + ["Next"] * 3 + ["Rest"] * 6


def test_ties_share_the_higher_tier():
    result = evaluate(scheme(), accounts(arr=[100.0, 100.0, 50, 40, 30, 20, 20, 20, 10, 5]))
    # Accounts strictly above each: 0,0,2,3,4,5,5,5,8,9; Top needs < 1, Next < 4.
    assert result["tier"].tolist() == [
        "Top",
        "Top",
        "Next",
        "Next",
        "Rest",
        "Rest",
        "Rest",
        "Rest",
        "Rest",
        "Rest",
    ]


def test_tie_across_a_boundary_takes_the_higher_tier():
    values = np.array([9, 8, 7, 6, 6, 6, 1, 1, 1, 1], dtype=float)
    position = percentile_position(values, [10, 30, 60])
    assert position.tolist() == [0, 1, 1, 1, 1, 1, 2, 2, 2, 2]


def test_deterministic_regardless_of_row_order():
    values = np.random.default_rng(3).integers(0, 20, 200).astype(float)
    order = np.random.default_rng(4).permutation(200)
    first = percentile_position(values, [10, 30, 60])
    second = percentile_position(values[order], [10, 30, 60])
    assert (first[order] == second).all()


def test_missing_values_are_not_ranked():
    result = evaluate(scheme(), accounts(arr=[np.nan] + [float(v) for v in range(10, 0, -1)]))
    assert result["tier"].tolist() == ["Rest", "Top"] + ["Next"] * 3 + ["Rest"] * 6
    assert result["explanation"].iloc[0] == "No ARR → default Rest"


def test_explanation_names_slice_and_floor():
    result = evaluate(scheme(), accounts(arr=[float(v) for v in range(10, 0, -1)]))
    assert result["explanation"].tolist()[:2] == [
        "ARR 10 in top 10% (≥ 10) → Top",
        "ARR 9 in top 10–40% (≥ 7) → Next",
    ]
    assert result["explanation"].iloc[-1] == "ARR 1 below top 40% → Rest"


def test_flagged_accounts_take_no_ranking_slot():
    frame = accounts(
        arr=[1.0] + [float(v) for v in range(10, 0, -1)], is_strategic=[True] + [False] * 10
    )
    result = evaluate(scheme(strategic_flag={"field": "is_strategic"}), frame)
    assert result["tier"].tolist()[:3] == ["Top", "Top", "Next"]
