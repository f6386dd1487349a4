import numpy as np
import pandas as pd
import pytest

from cstier.domain.tiering import Hysteresis, apply_hysteresis, evaluate, parse_scheme
from cstier.domain.tiering.defaults import VALUE_TIERS
from tests.unit.tiering.conftest import FIELDS, accounts

SCHEME = parse_scheme(VALUE_TIERS, FIELDS)  # 5 % margin


def current(*tiers):
    return pd.DataFrame({"account_id": range(1, len(tiers) + 1), "tier": list(tiers)})


@pytest.mark.parametrize(
    ("arr", "was", "tier", "held"),
    [
        (262_499.0, "Growth", "Growth", True),  # up, inside 5 % above 250,000
        (262_500.0, "Growth", "Strategic", False),  # up, clears the margin
        (47_501.0, "Growth", "Growth", True),  # down, inside 5 % below 50,000
        (47_500.0, "Growth", "Growth", True),
        (47_499.0, "Growth", "Scale", False),
        (240_000.0, "Strategic", "Strategic", True),
        (200_000.0, "Strategic", "Growth", False),
        (260_000.0, "Scale", "Strategic", False),  # judged at the current tier's edge: 50,000
        (10.0, None, "Scale", False),  # new accounts take the proposal
    ],
)
def test_margin(arr, was, tier, held):
    proposed = evaluate(SCHEME, accounts(arr=[arr]))
    result = apply_hysteresis(proposed, current(was), SCHEME)
    assert result["tier"].tolist() == [tier]
    assert result["held"].tolist() == [held]


def test_margin_explains_the_hold():
    proposed = evaluate(SCHEME, accounts(arr=[255_000.0]))
    result = apply_hysteresis(proposed, current("Growth"), SCHEME)
    assert result["explanation"].iloc[0] == (
        "Kept Growth: within 5% of the boundary 250,000 — proposed ARR 255,000 ≥ 250,000 → Strategic"
    )


def test_margin_on_percentiles_uses_this_runs_floor():
    definition = {
        "dimension": "value",
        "method": "percentiles",
        "percentiles": [{"tier": "Top", "share": 50}, {"tier": "Rest", "share": 50}],
        "hysteresis": {"margin_pct": 10},
    }
    scheme = parse_scheme(definition, FIELDS)
    proposed = evaluate(scheme, accounts(arr=[100.0, 105.0, 50.0, 10.0]))
    result = apply_hysteresis(proposed, current("Rest", "Rest", "Top", "Top"), scheme)
    # Top floor is 100: 100 is not ≥ 110 (held), 105 neither; 50 ≥ 90? no → moves down.
    assert result["tier"].tolist() == ["Rest", "Rest", "Rest", "Rest"]
    assert result["held"].tolist() == [True, True, False, False]


def test_flagged_accounts_are_not_held():
    scheme = parse_scheme({**VALUE_TIERS, "strategic_flag": {"field": "is_strategic"}}, FIELDS)
    proposed = evaluate(scheme, accounts(arr=[1.0], is_strategic=[True]))
    assert apply_hysteresis(proposed, current("Scale"), scheme)["tier"].tolist() == ["Strategic"]


def test_runs_need_consecutive_proposals():
    state = pd.DataFrame(
        {"account_id": [1, 2, 3, 4], "tier": ["Growth", "Growth", "Growth", "Growth"]}
    )
    state["pending_tier"] = [None, "Strategic", "Scale", "Strategic"]
    state["pending_count"] = [0, 1, 2, 2]
    proposed = evaluate(SCHEME, accounts(arr=[300_000.0, 300_000.0, 300_000.0, 100_000.0]))
    result = apply_hysteresis(proposed, state, SCHEME, Hysteresis(runs=3))
    assert result["tier"].tolist() == ["Growth", "Growth", "Growth", "Growth"]
    assert result["pending_tier"].tolist()[:3] == ["Strategic", "Strategic", "Strategic"]
    assert pd.isna(result["pending_tier"].iloc[3])
    assert result["pending_count"].tolist() == [1, 2, 1, 0]
    assert (
        result["explanation"]
        .iloc[1]
        .startswith("Kept Growth: Strategic proposed 2 of 3 runs in a row")
    )

    again = apply_hysteresis(
        proposed,
        result[["account_id", "tier", "pending_tier", "pending_count"]],
        SCHEME,
        Hysteresis(runs=3),
    )
    assert again["tier"].tolist() == ["Growth", "Strategic", "Growth", "Growth"]
    assert again["pending_count"].tolist() == [2, 0, 2, 0]
    assert again["held"].tolist() == [True, False, True, False]


def test_one_run_switches_at_once_and_new_accounts_are_not_held():
    proposed = evaluate(SCHEME, accounts(arr=[300_000.0, 300_000.0]))
    state = pd.DataFrame({"account_id": [1], "tier": ["Growth"]})
    result = apply_hysteresis(proposed, state, SCHEME, Hysteresis(runs=1))
    assert result["tier"].tolist() == ["Strategic", "Strategic"]
    assert result["pending_count"].tolist() == [0, 0]


def test_no_hysteresis_passes_through():
    scheme = parse_scheme({k: v for k, v in VALUE_TIERS.items() if k != "hysteresis"}, FIELDS)
    proposed = evaluate(scheme, accounts(arr=[255_000.0]))
    result = apply_hysteresis(proposed, current("Growth"), scheme)
    assert result["tier"].tolist() == ["Strategic"]
    assert not np.any(result["held"])
