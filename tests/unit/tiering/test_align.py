"""Aligning stored tiers with evaluated accounts: the id-table fast path and its fallbacks."""

import numpy as np
import pandas as pd
import pytest

from cstier.domain.tiering import apply_hysteresis, diff_tiers, evaluate, parse_scheme
from cstier.domain.tiering.align import aligned_positions, row_positions, tiers_at
from cstier.domain.tiering.defaults import VALUE_TIERS
from tests.unit.tiering.conftest import FIELDS

SCHEME = parse_scheme(VALUE_TIERS, FIELDS)  # 5 % margin
SPARSE = 10**9  # ids this far apart leave the id table for the general path


def ids(*values):
    return np.array(values, dtype=np.int64)


def test_same_ids_in_the_same_order_line_up():
    assert aligned_positions(ids(3, 5, 9), ids(3, 5, 9)).tolist() == [0, 1, 2]
    assert aligned_positions(ids(1, SPARSE), ids(1, SPARSE)).tolist() == [0, 1]


@pytest.mark.parametrize("spread", [1, SPARSE])
def test_sorted_ids_find_missing_and_outside_ids(spread):
    stored = ids(2, 3, 5, 7) * spread
    wanted = ids(7, 1, 3, 4, 99) * spread
    assert aligned_positions(stored, wanted).tolist() == [3, -1, 1, -1, -1]


def test_id_table_finds_shuffled_missing_and_outside_ids():
    positions = aligned_positions(ids(7, 2, 5, 3), ids(2, 3, 4, 5, 7, 1, 99))
    assert positions.tolist() == [1, 3, -1, 2, 0, -1, -1]


def test_no_stored_ids_means_every_account_is_absent():
    assert aligned_positions(ids(), ids(1, 2)).tolist() == [-1, -1]


@pytest.mark.parametrize(
    ("stored", "wanted"),
    [
        (ids(1, 2, 2), ids(1, 2)),  # a repeated id
        (ids(1, 1), ids(1, 1)),  # repeated even when the lists are equal
        (ids(SPARSE, 1), ids(1, SPARSE)),  # unsorted and too spread out for a table
        (np.array(["1", "2"], dtype=object), ids(1, 2)),  # not integers
        (ids(1, 2), np.array([1.0, 2.0])),
    ],
)
def test_ids_the_table_cannot_answer_take_the_general_path(stored, wanted):
    assert aligned_positions(stored, wanted) is None


@pytest.mark.parametrize("stored", [ids(4, 1, 3), ids(4, SPARSE, 3)])
def test_row_positions_agree_with_get_indexer(stored):
    wanted = ids(3, 4, 2)
    expected = pd.Index(stored).get_indexer(wanted)
    assert row_positions(stored, wanted).tolist() == expected.tolist()


@pytest.mark.parametrize("dtype", ["category", object, "str"])
def test_tiers_at_reads_tiers_like_reindex(dtype):
    tiers = pd.Series(["Growth", None, "Scale"], dtype=dtype)
    found = tiers_at(tiers, np.array([2, -1, 0, 1], dtype=np.intp))
    assert found.dtype == object
    assert found[[0, 2]].tolist() == ["Scale", "Growth"]
    assert pd.isna(found[1]) and pd.isna(found[3])


def stored_tiers(account_ids, tiers):
    """Stored tiers as a run reads them: grouped by tier, tier as a category."""
    frame = pd.DataFrame({"account_id": np.array(account_ids, dtype=np.int64), "tier": tiers})
    frame = frame.sort_values("tier", kind="stable", na_position="last", ignore_index=True)
    frame["tier"] = frame["tier"].astype("category")
    return frame


# Account 5 has no stored tier, 4 a missing one and 3 one the scheme does not know.
STORED = {1: "Growth", 2: "Scale", 3: "Platinum", 4: None, 6: "Scale"}
PROPOSED = {1: "Growth", 2: "Growth", 3: "Scale", 4: "Scale", 5: "Growth"}


@pytest.mark.parametrize("offset", [0, SPARSE], ids=["id table", "general path"])
def test_diff_on_both_paths(offset):
    current = stored_tiers([a * (1 + offset) for a in STORED], list(STORED.values()))
    proposed = pd.DataFrame(
        {
            "account_id": np.array([a * (1 + offset) for a in PROPOSED], dtype=np.int64),
            "tier": pd.Series(list(PROPOSED.values()), dtype="str"),
        }
    )
    took_table = aligned_positions(current["account_id"], proposed["account_id"]) is not None
    assert took_table == (offset == 0)
    diff = diff_tiers(current, proposed)
    assert diff["account_id"].tolist() == [a * (1 + offset) for a in (2, 3, 4, 5)]
    assert diff["from_tier"].tolist()[:2] == ["Scale", "Platinum"]
    assert diff["from_tier"].iloc[2:].isna().all()
    assert diff["to_tier"].tolist() == ["Growth", "Scale", "Scale", "Growth"]
    assert str(diff["from_tier"].dtype) == str(diff["to_tier"].dtype) == "str"


def test_diff_keeps_the_last_of_a_repeated_stored_id():
    current = pd.DataFrame({"account_id": [1, 2, 1], "tier": ["Scale", "Growth", "Growth"]})
    proposed = pd.DataFrame({"account_id": [1, 2], "tier": ["Growth", "Scale"]})
    diff = diff_tiers(current.astype({"tier": "category"}), proposed)
    assert diff.to_dict("records") == [{"account_id": 2, "from_tier": "Growth", "to_tier": "Scale"}]


def test_diff_of_missing_tiers_on_both_sides_is_no_change():
    current = stored_tiers([1, 2], [None, "Scale"])
    proposed = pd.DataFrame({"account_id": [1, 2], "tier": pd.Series([None, None], dtype="str")})
    diff = diff_tiers(current, proposed)
    assert diff["account_id"].tolist() == [2]
    assert diff["to_tier"].isna().all()


# ARR per account: 255,000 sits within 5 % above the 250,000 edge, 300,000 clears it.
ARR = {1: 255_000.0, 2: 255_000.0, 3: 255_000.0, 4: 300_000.0, 5: 47_600.0, 6: 255_000.0}
WAS = {1: "Growth", 2: "Platinum", 3: None, 4: "Growth", 5: "Growth", 7: "Scale"}


@pytest.mark.parametrize("offset", [0, SPARSE], ids=["id table", "general path"])
def test_margin_on_both_paths(offset):
    account_ids = np.array([a * (1 + offset) for a in ARR], dtype=np.int64)
    proposed = evaluate(
        SCHEME, pd.DataFrame({"account_id": account_ids, "arr": list(ARR.values())})
    )
    current = stored_tiers([a * (1 + offset) for a in WAS], list(WAS.values()))
    took_table = aligned_positions(current["account_id"], proposed["account_id"]) is not None
    assert took_table == (offset == 0)
    result = apply_hysteresis(proposed, current, SCHEME)
    # 1 and 5 are held; 2 (unknown tier), 3 (missing tier) and 6 (new) take the proposal.
    assert result["tier"].tolist() == [
        "Growth",
        "Strategic",
        "Strategic",
        "Strategic",
        "Growth",
        "Strategic",
    ]
    assert result["held"].tolist() == [True, False, False, False, True, False]
    assert result["explanation"].iloc[4] == (
        "Kept Growth: within 5% of the boundary 50,000 — proposed ARR 47,600 < 50,000 → Scale"
    )
    assert str(result["tier"].dtype) == "str"
    assert proposed["tier"].tolist()[0] == "Strategic"  # the input frame is left alone


def test_margin_refuses_a_repeated_stored_id_as_before():
    proposed = evaluate(SCHEME, pd.DataFrame({"account_id": [1], "arr": [255_000.0]}))
    current = pd.DataFrame({"account_id": [1, 1], "tier": ["Growth", "Scale"]})
    with pytest.raises(ValueError, match="duplicate"):
        apply_hysteresis(proposed, current.astype({"tier": "category"}), SCHEME)
