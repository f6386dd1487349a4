from datetime import UTC, datetime

import numpy as np
import pandas as pd

from cstier.domain.tiering import apply_overrides, diff_tiers, movement_matrix


def result_frame():
    return pd.DataFrame(
        {
            "account_id": [1, 2, 3, 4],
            "tier": ["Scale", "Growth", "Scale", "Growth"],
            "explanation": ["a", "b", "c", "d"],
            "score": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_active_overrides_win_and_expired_ones_do_not():
    overrides = pd.DataFrame(
        {
            "account_id": [1, 2, 3, 3, 99],
            "tier": ["Strategic", "Strategic", "Growth", "Strategic", "Growth"],
            "reason": ["Board ask", "Old deal", "Pilot", "Renewal push", "Gone"],
            "expires_at": [
                pd.Timestamp("2025-03-31"),
                pd.Timestamp("2024-01-01"),
                None,
                None,
                None,
            ],
        }
    )
    as_of = datetime(2024, 6, 1, tzinfo=UTC)
    result = apply_overrides(result_frame(), overrides, as_of)
    assert result["tier"].tolist() == ["Strategic", "Growth", "Strategic", "Growth"]
    assert result["explanation"].tolist() == [
        "Override: Board ask (until 2025-03-31)",
        "b",
        "Override: Renewal push (no expiry)",
        "d",
    ]
    assert result["overridden"].tolist() == [True, False, True, False]


def test_override_expiring_exactly_now_has_expired():
    overrides = pd.DataFrame(
        {
            "account_id": [1],
            "tier": ["Strategic"],
            "reason": ["x"],
            "expires_at": [pd.Timestamp("2024-06-01", tz="UTC")],
        }
    )
    result = apply_overrides(result_frame(), overrides, pd.Timestamp("2024-06-01"))
    assert result["tier"].iloc[0] == "Scale"


def test_no_overrides_changes_nothing():
    empty = pd.DataFrame(
        {"account_id": [], "tier": [], "reason": [], "expires_at": pd.to_datetime([])}
    )
    result = apply_overrides(result_frame(), empty, datetime(2024, 1, 1))
    assert result["tier"].tolist() == result_frame()["tier"].tolist()


def test_diff_keeps_only_changes():
    current = pd.DataFrame(
        {"account_id": [1, 2, 3, 5], "tier": ["Scale", "Growth", "Scale", "Growth"]}
    )
    proposed = pd.DataFrame(
        {"account_id": [1, 2, 3, 4], "tier": ["Scale", "Strategic", "Growth", "Scale"]}
    )
    diff = diff_tiers(current, proposed)
    assert diff["account_id"].tolist() == [2, 3, 4]
    assert diff["from_tier"].tolist()[:2] == ["Growth", "Scale"]
    assert pd.isna(diff["from_tier"].iloc[2])
    assert diff["to_tier"].tolist() == ["Strategic", "Growth", "Scale"]


def test_movement_matrix_counts_accounts_and_arr():
    diff = pd.DataFrame(
        {
            "account_id": [1, 2, 3, 4],
            "from_tier": ["Growth", "Growth", "Scale", np.nan],
            "to_tier": ["Strategic", "Strategic", "Growth", "Scale"],
        }
    )
    arr = pd.Series([300_000.0, 260_000.0, 60_000.0, 1_000.0], index=[1, 2, 3, 4])
    matrix = movement_matrix(diff, arr, tier_order=["Strategic", "Growth", "Scale"])
    assert matrix.to_dict("records") == [
        {"from_tier": "Growth", "to_tier": "Strategic", "accounts": 2, "arr": 560_000.0},
        {"from_tier": "Scale", "to_tier": "Growth", "accounts": 1, "arr": 60_000.0},
        {"from_tier": "(none)", "to_tier": "Scale", "accounts": 1, "arr": 1_000.0},
    ]
