"""Explaining only some rows gives exactly what a full evaluation says about them."""

import numpy as np
import pandas as pd
import pytest

from cstier.domain.tiering import apply_overrides, evaluate, explain_rows, parse_scheme
from cstier.domain.tiering.defaults import DEFAULT_FIELDS, DEFAULT_SCHEMES
from tests.unit.tiering.conftest import FIELDS

PERCENTILES = {
    "dimension": "value",
    "method": "percentiles",
    "percentiles": [
        {"tier": "Top", "share": 10},
        {"tier": "Next", "share": 30},
        {"tier": "Rest", "share": 60},
    ],
}


def book(size: int = 400, seed: int = 3) -> pd.DataFrame:
    """A mixed book with missing values in every input the seeded schemes read."""
    rng = np.random.default_rng(seed)
    arr = rng.lognormal(10.5, 1.4, size).round(2)
    arr[::17] = np.nan
    frame = pd.DataFrame(
        {
            "account_id": np.arange(1, size + 1),
            "arr": arr,
            "employees": rng.integers(1, 20_000, size).astype(float),
            "region": rng.choice(["NA", "EMEA", "APAC", None], size),
            "industry": rng.choice(["Software", "Retail", None], size),
        }
    )
    for name, kind in DEFAULT_FIELDS.items():
        if name in frame:
            continue
        if kind == "number":
            values = rng.integers(0, 1200, size).astype(float)
            values[::11] = np.nan
            frame[name] = values
        else:
            frame[name] = rng.choice(["low", "medium", "high", None], size)
    return frame


@pytest.mark.parametrize("definition", DEFAULT_SCHEMES, ids=lambda d: d["name"])
def test_seeded_schemes_explain_a_subset_like_the_whole_book(definition):
    scheme = parse_scheme(definition, DEFAULT_FIELDS)
    accounts = book()
    positions = np.array([0, 5, 16, 17, 33, 250, 399])
    full = evaluate(scheme, accounts)["explanation"].to_numpy(object)
    assert explain_rows(scheme, accounts, positions).tolist() == full[positions].tolist()


def test_percentiles_are_explained_against_the_whole_book():
    scheme = parse_scheme(PERCENTILES, FIELDS)
    accounts = pd.DataFrame({"account_id": range(1, 101), "arr": np.arange(100, 0, -1) * 1000.0})
    positions = np.array([0, 50, 99])
    full = evaluate(scheme, accounts)["explanation"].to_numpy(object)
    explained = explain_rows(scheme, accounts, positions)
    assert explained.tolist() == full[positions].tolist()
    # Alone, the last account would be the top 10 %; against the book it is in the rest.
    assert "→ Rest" in explained[2]


@pytest.mark.parametrize("definition", DEFAULT_SCHEMES, ids=lambda d: d["name"])
def test_evaluating_without_explanations_gives_the_same_tiers(definition):
    scheme = parse_scheme(definition, DEFAULT_FIELDS)
    accounts = book()
    quiet = evaluate(scheme, accounts, explain=False)
    assert "explanation" not in quiet.columns
    full = evaluate(scheme, accounts)
    pd.testing.assert_frame_equal(quiet, full.drop(columns="explanation"), check_exact=True)


def test_explaining_twice_gives_the_same_text():
    # Needs explanations reuse cached tables: a second call must not see the first's rows.
    scheme = parse_scheme(DEFAULT_SCHEMES[1], DEFAULT_FIELDS)
    accounts = book()
    first = evaluate(scheme, accounts)["explanation"].tolist()
    explain_rows(scheme, accounts, np.array([3, 1]))
    assert evaluate(scheme, accounts)["explanation"].tolist() == first


def test_an_override_note_survives_evaluation_without_explanations():
    scheme = parse_scheme(DEFAULT_SCHEMES[0], DEFAULT_FIELDS)
    quiet = evaluate(scheme, book(size=3), explain=False)
    overrides = pd.DataFrame(
        {"account_id": [2], "tier": ["Strategic"], "reason": ["Board pick"], "expires_at": [None]}
    )
    result = apply_overrides(quiet, overrides, pd.Timestamp("2026-01-01", tz="UTC"))
    notes = result["explanation"].tolist()
    assert notes[1] == "Override: Board pick (no expiry)"
    assert pd.isna(notes[0]) and pd.isna(notes[2])  # left for the run to explain
