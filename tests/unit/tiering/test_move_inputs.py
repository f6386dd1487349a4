"""A move keeps the input values that decided it, and says what changed since the last one."""

import json

import numpy as np
import pandas as pd

from cstier.domain.tiering import DEFAULT_FIELDS, parse_scheme
from cstier.domain.tiering.defaults import REGION_SEGMENTS, VALUE_TIERS
from cstier.domain.tiering.inputs import input_records, move_cause, read_inputs


def test_input_records_hold_each_rows_scheme_inputs_as_json():
    scheme = parse_scheme(VALUE_TIERS, DEFAULT_FIELDS)
    book = pd.DataFrame(
        {
            "account_id": [1, 2, 3],
            "arr": [58_100.0, np.nan, 12.5],
            "region": pd.Categorical(["EMEA", "NA", 'say "hi"']),
        }
    )
    records = input_records(scheme, book, np.array([2, 0, 1]))
    assert [json.loads(r) for r in records] == [{"arr": 12.5}, {"arr": 58100.0}, {"arr": None}]


def test_input_records_of_a_scheme_reading_text():
    scheme = parse_scheme(REGION_SEGMENTS, DEFAULT_FIELDS)
    book = pd.DataFrame({"account_id": [1, 2], "region": ['Q"uote', None]})
    records = input_records(scheme, book, np.array([0, 1]))
    assert [json.loads(r) for r in records] == [{"region": 'Q"uote'}, {"region": None}]


def test_the_cause_names_a_scheme_change_and_the_data_that_changed():
    assert move_cause(1, {"arr": 50_000.0}, 2, {"arr": 50_000.0}) == (
        "scheme changed (version 1 → 2)"
    )
    assert move_cause(2, {"arr": 50_000.0}, 2, {"arr": 58_100.0}, {"arr": "ARR"}) == (
        "data changed: ARR 50,000 → 58,100"
    )
    both = move_cause(1, {"arr": 1.0, "region": "NA"}, 2, {"arr": 1.0, "region": "EMEA"})
    assert both == "scheme changed (version 1 → 2), and data changed: region NA → EMEA"
    # A move written before inputs were kept says nothing it cannot know.
    assert move_cause(2, read_inputs(None), 2, {"arr": 5.0}) == ""
