"""Hand-computed health scores: weights shared out, coverage, insufficient data, bands."""

from datetime import date

import pandas as pd
import pytest

from cstier.domain.health.bands import banded, with_overrides
from cstier.domain.health.score import score_frame
from cstier.domain.health.scorecard import DEFAULT_SCORECARD, ScorecardInvalid, parse_scorecard

CARD = parse_scorecard(
    {
        "measures": [
            {"key": "usage", "input": "usage.wau", "weight": 50, "low": 0, "high": 200},
            {"key": "touch", "input": "days_since_touch", "weight": 30, "low": 100, "high": 0},
            {
                "key": "nps",
                "input": "attr.nps",
                "weight": 20,
                "kind": "bands",
                "bands": [[0, 0], [7, 60], [9, 100]],
            },
        ],
        "min_coverage": 0.6,
        "red_below": 40,
        "green_at": 70,
        "hysteresis": 5,
    }
)


def _inputs(**columns):
    return pd.DataFrame(columns, index=pd.Index([1, 2, 3], name="account_id"))


def test_full_data_weights_points():
    inputs = _inputs(**{"usage.wau": [100, 300, 0], "days_since_touch": [50, 0, 100],
                        "attr.nps": [8, 10, 3]})  # fmt: skip
    out = score_frame(inputs, CARD)
    # account 1: 50 points × .5 + 50 × .3 + 60 × .2 = 25 + 15 + 12
    assert out.loc[1, "score"] == pytest.approx(52)
    assert out.loc[2, "score"] == pytest.approx(100)  # clipped at 100
    assert out.loc[3, "score"] == pytest.approx(0)
    assert out["coverage"].tolist() == pytest.approx([1, 1, 1])
    assert out.loc[1, "contribution.nps"] == pytest.approx(12)


def test_missing_input_shares_its_weight():
    inputs = _inputs(**{"usage.wau": [100, None, None], "days_since_touch": [50, 50, None],
                        "attr.nps": [None, 9, None]})  # fmt: skip
    out = score_frame(inputs, CARD)
    # account 1: usage 50 pts and touch 50 pts over 80 % of the weight: 50 × 5/8 + 50 × 3/8
    assert out.loc[1, "score"] == pytest.approx(50)
    assert out.loc[1, "coverage"] == pytest.approx(0.8)
    assert out.loc[1, "share.usage"] == pytest.approx(0.625)
    # account 2: touch 50 pts weight .3, nps 100 pts weight .2 → coverage .5 < .6
    assert out.loc[2, "score"] == pytest.approx(50 * 0.6 + 100 * 0.4)
    assert out.loc[2, "coverage"] == pytest.approx(0.5)
    assert not out.loc[2, "enough"]
    assert pd.isna(out.loc[3, "score"]) and out.loc[3, "coverage"] == 0


def test_insufficient_data_below_coverage():
    inputs = _inputs(**{"usage.wau": [None] * 3, "days_since_touch": [10] * 3,
                        "attr.nps": [9] * 3})  # fmt: skip
    out = score_frame(inputs, CARD)
    band = banded(out["score"], out["enough"], pd.Series(dtype=object), CARD)
    assert band.tolist() == ["insufficient"] * 3


def test_band_hysteresis():
    score = pd.Series([67.0, 67.0, 64.0, 43.0, 43.0, 72.0, 74.0], index=range(7))
    previous = pd.Series(["green", None, "green", "red", "yellow", "yellow", "yellow"])
    enough = pd.Series(True, index=score.index)
    band = banded(score, enough, previous, CARD)
    # green holds down to 65; red holds up to 45; yellow holds until 75 upwards or 35 down
    assert band.tolist() == ["green", "yellow", "yellow", "red", "yellow", "yellow", "yellow"]
    assert banded(pd.Series([76.0]), pd.Series([True]), pd.Series(["yellow"]), CARD)[0] == "green"
    assert banded(pd.Series([34.0]), pd.Series([True]), pd.Series(["yellow"]), CARD)[0] == "red"


def test_override_until_expiry():
    band = pd.Series(["red", "red"], index=[1, 2])
    overrides = pd.DataFrame(
        {
            "account_id": [1, 2],
            "band": ["green", "yellow"],
            "expires_on": [date(2026, 3, 1), None],
        }  # fmt: skip
    )
    assert with_overrides(band, overrides, date(2026, 2, 28)).tolist() == ["green", "yellow"]
    # expiry is exclusive: on the day it expires, the computed band shows again
    assert with_overrides(band, overrides, date(2026, 3, 1)).tolist() == ["red", "yellow"]


def test_default_scorecard_is_valid():
    assert sum(m.weight for m in parse_scorecard(DEFAULT_SCORECARD).measures) == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": 40}, "weights"),
        ({"weight": "x"}, "measures[0].weight"),
        ({"weight": float("nan")}, "measures[0].weight"),
        ({"input": "revenue"}, "measures[0].input"),
        ({"kind": "bands", "bands": [[5, 10], [1, 20]]}, "measures[0].bands"),
        ({"low": 5, "high": 5}, "measures[0].high"),
    ],
)
def test_bad_scorecards_name_the_field(change, field):
    definition = {
        "measures": [
            {"key": "usage", "input": "usage.wau", "weight": 50} | change,
            {"key": "touch", "input": "days_since_touch", "weight": 50, "low": 90, "high": 0},
        ]
    }
    with pytest.raises(ScorecardInvalid) as caught:
        parse_scorecard(definition)
    assert caught.value.field == field
