"""The segment suggester on plain DataFrames: determinism, profiles, rules, bad input."""

import numpy as np
import pandas as pd
import pytest

from cstier.domain.segments_suggest import InvalidSuggestion, scatter_points, suggest_segments
from cstier.domain.tiering import evaluate, parse_scheme


def blobs(per_cluster: int = 60, seed: int = 7) -> pd.DataFrame:
    """Three well-separated groups: small, mid-size and large accounts."""
    rng = np.random.default_rng(seed)
    centres = [(20_000, 50, 10), (120_000, 800, 200), (600_000, 5_000, 2_000)]
    rows = [
        (rng.normal(arr, arr * 0.1), rng.normal(emp, emp * 0.1), rng.normal(seats, seats * 0.1))
        for arr, emp, seats in centres
        for _ in range(per_cluster)
    ]
    frame = pd.DataFrame(rows, columns=["arr", "employees", "attr.seats"])
    frame.insert(0, "account_id", range(1, len(frame) + 1))
    return frame


FEATURES = ["arr", "employees", "attr.seats"]


def test_same_input_gives_the_same_suggestion():
    first = suggest_segments(blobs(), FEATURES, 3)
    second = suggest_segments(blobs(), FEATURES, 3)

    assert first.definition == second.definition
    assert first.assignment.equals(second.assignment)
    assert first.profiles == second.profiles


def test_profiles_name_segments_by_arr_and_describe_each_feature():
    suggestion = suggest_segments(blobs(), FEATURES, 3)

    sizes = [p.size for p in suggestion.profiles]
    assert [p.tier for p in suggestion.profiles] == ["Segment 1", "Segment 2", "Segment 3"]
    assert sizes == [60, 60, 60]
    top, middle, bottom = suggestion.profiles
    assert top.arr > middle.arr > bottom.arr
    assert 500_000 < top.medians["arr"] < 700_000
    assert 4_000 < top.means["employees"] < 6_000
    assert set(bottom.medians) == set(FEATURES)


def test_proposed_rules_reproduce_well_separated_clusters():
    book = blobs()
    suggestion = suggest_segments(book, FEATURES, 3)

    scheme = parse_scheme(suggestion.definition, {f: "number" for f in FEATURES})
    ruled = evaluate(scheme, book)["tier"]
    assert (ruled.to_numpy() == suggestion.assignment["tier"].to_numpy()).mean() >= 0.95
    assert suggestion.agreement >= 0.95
    ops = {c["op"] for r in suggestion.definition["rules"] for c in r["conditions"]}
    assert ops <= {"between", "ge", "lt"}
    assert {r["tier"] for r in suggestion.definition["rules"]} == {
        "Segment 1",
        "Segment 2",
        "Segment 3",
    }


def test_missing_values_are_imputed_and_left_to_the_default_by_the_rules():
    book = blobs()
    book.loc[[0, 70], "employees"] = np.nan

    suggestion = suggest_segments(book, FEATURES, 3)

    assert sum(p.size for p in suggestion.profiles) == len(book)
    assert suggestion.assignment["tier"].notna().all()
    assert suggestion.definition["default"] == "Unclassified"


@pytest.mark.parametrize(
    ("features", "k", "message"),
    [
        ([], 3, "Pick at least one numeric feature"),
        (["arr"], 1, "k must be between 2 and 8, got 1."),
        (["arr"], 9, "k must be between 2 and 8, got 9."),
        (["nps"], 3, "Unknown feature nps."),
    ],
    ids=["no features", "k too small", "k too large", "unknown feature"],
)
def test_bad_input_is_refused_with_a_message(features, k, message):
    with pytest.raises(InvalidSuggestion, match=message):
        suggest_segments(blobs(), features, k)


def test_fewer_accounts_than_k_is_refused():
    with pytest.raises(InvalidSuggestion, match="There are 2 accounts, fewer than k = 3"):
        suggest_segments(blobs().head(2), ["arr"], 3)


def test_too_few_distinct_rows_is_refused():
    book = blobs().head(5).assign(arr=1.0)
    with pytest.raises(InvalidSuggestion, match="Only 1 distinct combinations"):
        suggest_segments(book, ["arr"], 3)


def test_a_feature_without_any_value_is_refused():
    book = blobs().assign(nps=np.nan)
    with pytest.raises(InvalidSuggestion, match="No account has a value for nps"):
        suggest_segments(book, ["arr", "nps"], 3)


def test_scatter_points_are_grouped_by_segment_and_capped():
    book = blobs()
    suggestion = suggest_segments(book, FEATURES, 3)

    points = scatter_points(suggestion.assignment, "arr", "employees", limit=30)

    assert set(points) == {"Segment 1", "Segment 2", "Segment 3"}
    assert sum(len(p) for p in points.values()) <= 30
