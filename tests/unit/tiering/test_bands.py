import numpy as np
import pytest

from cstier.domain.tiering import evaluate, parse_scheme
from cstier.domain.tiering.defaults import VALUE_TIERS
from tests.unit.tiering.conftest import FIELDS, accounts


def value_scheme(**extra):
    return parse_scheme({**VALUE_TIERS, **extra}, FIELDS)


@pytest.mark.parametrize(
    ("arr", "tier"),
    [
        (250_000, "Strategic"),
        (249_999.99, "Growth"),
        (50_000, "Growth"),
        (49_999.99, "Scale"),
        (0, "Scale"),
        (-10, "Scale"),
        (10**9, "Strategic"),
    ],
)
def test_bands_min_inclusive_max_exclusive(arr, tier):
    result = evaluate(value_scheme(), accounts(arr=[arr]))
    assert result["tier"].tolist() == [tier]


def test_explanation_names_value_and_band():
    result = evaluate(value_scheme(), accounts(arr=[312_000, 75_000, 20_000, 49_999.6]))
    assert result["explanation"].tolist() == [
        "ARR 312,000 ≥ 250,000 → Strategic",
        "ARR 75,000 in 50,000–250,000 → Growth",
        "ARR 20,000 < 50,000 → Scale",
        "ARR 49,999.60 < 50,000 → Scale",
    ]
    assert result["score"].tolist() == [312_000, 75_000, 20_000, 49_999.6]


def test_result_is_indexed_like_input():
    frame = accounts(arr=[1.0, 300_000.0]).set_index(np.array([10, 20]))
    result = evaluate(value_scheme(), frame)
    assert result.index.tolist() == [10, 20]
    assert result["account_id"].tolist() == [1, 2]


def test_missing_arr_gets_default_tier():
    result = evaluate(value_scheme(default="Scale"), accounts(arr=[np.nan]))
    assert result["tier"].tolist() == ["Scale"]
    assert result["explanation"].tolist() == ["No ARR → default Scale"]
    assert np.isnan(result["score"].iloc[0])


def test_expansion_adjusts_value():
    scheme = value_scheme(expansion={"field": "expansion_potential", "weight": 0.5})
    frame = accounts(arr=[200_000, 200_000, 200_000], expansion_potential=[0.5, 0.1, np.nan])
    result = evaluate(scheme, frame)
    assert result["tier"].tolist() == ["Strategic", "Growth", "Growth"]
    assert result["score"].tolist() == [250_000, 210_000, 200_000]
    assert (
        result["explanation"].iloc[0]
        == "Adjusted ARR 250,000 (+25% expansion) ≥ 250,000 → Strategic"
    )


def test_strategic_flag_forces_top_tier():
    scheme = value_scheme(strategic_flag={"field": "is_strategic"})
    result = evaluate(scheme, accounts(arr=[1_000, 1_000, 1_000], is_strategic=[True, False, None]))
    assert result["tier"].tolist() == ["Strategic", "Scale", "Scale"]
    assert result["explanation"].iloc[0] == "Strategic flag set, ARR 1,000 → Strategic"
    assert np.isnan(result["score"].iloc[0])


def test_bands_listed_in_any_order_tile_the_same():
    shuffled = [VALUE_TIERS["bands"][i] for i in (2, 0, 1)]
    scheme = value_scheme(bands=shuffled)
    assert scheme.tiers == ("Strategic", "Growth", "Scale")


def test_goal_and_kpi_survive_parsing():
    scheme = value_scheme()
    assert scheme.goal == VALUE_TIERS["goal"]
    assert scheme.kpi == VALUE_TIERS["kpi"]
