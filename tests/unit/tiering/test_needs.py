import numpy as np
import pytest

from cstier.domain.tiering import evaluate, parse_scheme
from cstier.domain.tiering.needs import needs_scores
from tests.unit.tiering.conftest import FIELDS, accounts

NEEDS = {
    "dimension": "needs",
    "components": [
        {"name": "integration help", "field": "needs_count", "weight": 40, "min": 0, "max": 10},
        {"name": "seats", "field": "seats", "weight": 30, "min": 0, "max": 100},
        {
            "name": "complexity",
            "field": "complexity",
            "weight": 30,
            "mapping": {"low": 0, "high": 1},
        },
    ],
    "thresholds": [{"tier": "High", "min": 67}, {"tier": "Medium", "min": 34}, {"tier": "Low"}],
    "default": "Unknown",
}


def scheme(**extra):
    return parse_scheme({**NEEDS, **extra}, FIELDS)


def test_weighted_score_and_explanation():
    frame = accounts(needs_count=[9.0], seats=[50.0], complexity=["high"])
    result = evaluate(scheme(), frame)
    assert result["score"].tolist() == [81.0]
    assert result["tier"].tolist() == ["High"]
    assert result["explanation"].iloc[0] == (
        "Needs score 81 (integration help 40% ×0.9, seats 30% ×0.5, complexity 30% ×1) ≥ 67 → High"
    )


@pytest.mark.parametrize(("seats", "tier"), [(100.0, "High"), (0.0, "Low")])
def test_threshold_boundaries_are_inclusive(seats, tier):
    only_seats = {**NEEDS, "components": [NEEDS["components"][1]]}
    frame = accounts(seats=[seats])
    assert evaluate(parse_scheme(only_seats, FIELDS), frame)["tier"].tolist() == [tier]


@pytest.mark.parametrize(
    ("seats", "tier"), [(67.0, "High"), (66.9, "Medium"), (34.0, "Medium"), (33.9, "Low")]
)
def test_exact_thresholds(seats, tier):
    only_seats = {**NEEDS, "components": [NEEDS["components"][1]]}
    assert evaluate(parse_scheme(only_seats, FIELDS), accounts(seats=[seats]))["tier"].tolist() == [
        tier
    ]


def test_values_outside_range_are_clipped():
    frame = accounts(needs_count=[50.0], seats=[-5.0], complexity=["low"])
    assert evaluate(scheme(), frame)["score"].tolist() == [40.0]


def test_missing_input_shares_its_weight():
    frame = accounts(needs_count=[10.0], seats=[np.nan], complexity=["low"])
    result = evaluate(scheme(), frame)
    # 40 / (40 + 30) of the weight sits on a full input.
    assert result["score"].tolist() == [57.1]
    assert "seats n/a" in result["explanation"].iloc[0]
    assert "integration help 57% ×1" in result["explanation"].iloc[0]


def test_unmapped_text_counts_as_missing():
    frame = accounts(needs_count=[10.0], seats=[100.0], complexity=["unheard of"])
    assert evaluate(scheme(), frame)["score"].tolist() == [100.0]


def test_all_missing_gives_default_tier():
    frame = accounts(needs_count=[np.nan], seats=[np.nan], complexity=[None])
    result = evaluate(scheme(), frame)
    assert result["tier"].tolist() == ["Unknown"]
    assert np.isnan(result["score"].iloc[0])
    assert result["explanation"].iloc[0] == "No needs inputs → default Unknown"


def test_scores_sum_like_each_row_in_component_order():
    rng = np.random.default_rng(5)
    values = rng.random((2_000, 4)).round(3)
    values[rng.random(values.shape) < 0.3] = np.nan
    weights = np.array([30.0, 25.0, 0.0, 15.0])
    present = ~np.isnan(values)
    effective = np.where(present, weights, 0.0)
    total = effective.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = np.where(total > 0, effective / total, 0.0)
    raw = 100.0 * (np.where(present, values, 0.0) * effective).sum(axis=1)
    expected = np.round(np.where(total[:, 0] > 0, raw, np.nan), 1)
    score, got_effective = needs_scores(values, weights)
    assert np.array_equal(score, expected, equal_nan=True)
    assert np.array_equal(got_effective, effective)


def test_renormalisation_is_per_row():
    values = np.array([[1.0, np.nan], [np.nan, 0.5], [0.5, 1.0]])
    score, effective = needs_scores(values, np.array([3.0, 1.0]))
    assert score.tolist() == [100.0, 50.0, 62.5]
    assert effective.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.75, 0.25]]


def test_invert_turns_high_inputs_into_low_needs():
    component = {**NEEDS["components"][1], "invert": True}
    inverted = parse_scheme({**NEEDS, "components": [component]}, FIELDS)
    assert evaluate(inverted, accounts(seats=[80.0]))["score"].round(1).tolist() == [20.0]


def test_zero_weight_components_are_left_out():
    components = [NEEDS["components"][0], {**NEEDS["components"][1], "weight": 0}]
    result = evaluate(
        parse_scheme({**NEEDS, "components": components}, FIELDS),
        accounts(needs_count=[5.0], seats=[1.0]),
    )
    assert (
        result["explanation"].iloc[0] == "Needs score 50 (integration help 100% ×0.5) ≥ 34 → Medium"
    )
