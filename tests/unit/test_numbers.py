"""The one check of a user's number: finite as a float, in JSON text and in nested values."""

import json
import math
from decimal import Decimal

import pytest

from cstier.domain.numbers import (
    NonFiniteNumber,
    is_finite,
    loads_finite,
    non_finite_paths,
    without_non_finite,
)

NON_FINITE = [
    math.nan,
    math.inf,
    -math.inf,
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e400",
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("1e400"),
    10**400,
    "",
    "twelve",
    None,
]


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
def test_non_finite_or_unreadable_numbers_are_refused(value):
    assert not is_finite(value)


@pytest.mark.parametrize("value", [0, -3, 2.5, "1e300", "-0.0", Decimal("12.34"), 10**300])
def test_finite_numbers_pass(value):
    assert is_finite(value)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400", "-1E+999"])
def test_json_text_with_a_non_finite_number_is_refused(token):
    with pytest.raises(NonFiniteNumber, match="finite number"):
        loads_finite(f'{{"bands": [{{"min": {token}}}]}}')


def test_json_text_with_finite_numbers_and_words_reads_as_usual():
    text = '{"name": "NaN fan", "min": 1e300, "n": [1, 2.5], "to": "Infinity"}'
    assert loads_finite(text) == json.loads(text)


def test_malformed_json_is_still_a_decode_error():
    with pytest.raises(json.JSONDecodeError):
        loads_finite('{"min": nan}')


def test_paths_name_every_non_finite_number():
    value = {"nps": math.nan, "ok": 1.5, "tags": [1, math.inf], "deep": {"x": Decimal("NaN")}}
    assert non_finite_paths(value) == ["nps", "tags.1", "deep.x"]
    assert non_finite_paths({"nps": 7, "name": "NaN"}) == []


def test_without_non_finite_writes_null_in_their_place():
    value = {"nps": math.nan, "tags": [1, -math.inf], "name": "x", "deep": {"y": 2.0}}
    assert without_non_finite(value) == {
        "nps": None,
        "tags": [1, None],
        "name": "x",
        "deep": {"y": 2.0},
    }
