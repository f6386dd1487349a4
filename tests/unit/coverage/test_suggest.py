"""The suggester: continuity, fit, balance by count and ARR, ties, empty pools, every CSM full."""

import pandas as pd

from cstier.domain.coverage import suggest_owners
from cstier.domain.coverage.suggest import FULL, KEPT, NOT_TIERED
from tests.unit.coverage.conftest import (
    EMPTY_BOOK,
    HIGH,
    NO_POOLS,
    POOLED,
    account_frame,
    book_frame,
    csm_frame,
)


def owners(result: pd.DataFrame) -> dict[int, int | None]:
    return {
        int(a): (None if pd.isna(c) else int(c))
        for a, c in zip(result["account_id"], result["csm_id"], strict=True)
    }


def test_balances_by_count_and_breaks_ties_by_csm_id(models):
    csms = csm_frame({"csm_id": 11}, {"csm_id": 10})
    accounts = account_frame([(i, HIGH, "EMEA", "Software", 0, None) for i in range(1, 5)])
    result = suggest_owners(accounts, csms, models, NO_POOLS, EMPTY_BOOK)
    # Equal loads: the lower CSM id wins, then they alternate; equal ARR: lower account id first.
    assert owners(result) == {1: 10, 2: 11, 3: 10, 4: 11}


def test_balances_arr_largest_first(models):
    csms = csm_frame({"csm_id": 10}, {"csm_id": 11})
    accounts = account_frame(
        [
            (1, HIGH, None, None, 900_000_00, None),
            (2, HIGH, None, None, 500_000_00, None),
            (3, HIGH, None, None, 400_000_00, None),
        ]
    )
    result = owners(suggest_owners(accounts, csms, models, NO_POOLS, EMPTY_BOOK))
    assert result[1] != result[2]
    assert result[2] == result[3]  # 900k on its own against 500k + 400k


def test_current_load_counts(models):
    csms = csm_frame({"csm_id": 10}, {"csm_id": 11})
    book = book_frame([(100 + i, 10, HIGH, 0) for i in range(10)])
    accounts = account_frame([(1, HIGH, None, None, 0, None)])
    assert owners(suggest_owners(accounts, csms, models, NO_POOLS, book)) == {1: 11}


def test_continuity_keeps_the_current_csm_while_valid(models):
    csms = csm_frame({"csm_id": 10}, {"csm_id": 11, "model_ids": [HIGH, POOLED]})
    book = book_frame([(1, 11, HIGH, 0), (2, 11, POOLED, 0)] + [(9, 10, HIGH, 0)])
    accounts = account_frame(
        [
            (1, POOLED, None, None, 0, 11),  # 11 serves pooled too: stays
            (2, HIGH, "EMEA", None, 0, 12),  # 12 is gone: moves
        ]
    )
    result = suggest_owners(accounts, csms, models, NO_POOLS, book).set_index("account_id")
    assert result.loc[1, "csm_id"] == 11 and result.loc[1, "kept"]
    assert result.loc[1, "reason"] == KEPT
    assert not result.loc[2, "kept"]


def test_region_and_vertical_fit(models):
    csms = csm_frame(
        {"csm_id": 10, "regions": ["EMEA"], "verticals": ["Retail"]},
        {"csm_id": 11, "regions": ["APAC"]},
        {"csm_id": 12, "regions": ["EMEA"], "verticals": ["Software"]},
    )
    accounts = account_frame(
        [
            (1, HIGH, "EMEA", "Software", 0, None),
            (2, HIGH, "APAC", "Retail", 0, None),
            (3, HIGH, "AMER", "Retail", 0, None),
        ]
    )
    result = suggest_owners(accounts, csms, models, NO_POOLS, EMPTY_BOOK).set_index("account_id")
    assert result.loc[1, "csm_id"] == 12
    assert result.loc[2, "csm_id"] == 11
    assert pd.isna(result.loc[3, "csm_id"])
    assert "covers AMER / Retail" in result.loc[3, "reason"]


def test_every_csm_full_leaves_accounts_unassigned_with_a_reason(models):
    csms = csm_frame({"csm_id": 10, "fte": 0.1})  # room for 5 high-touch accounts
    book = book_frame([(100 + i, 10, HIGH, 0) for i in range(3)])
    accounts = account_frame([(i, HIGH, None, None, 0, None) for i in range(1, 5)])
    result = suggest_owners(accounts, csms, models, NO_POOLS, book).set_index("account_id")
    assert result["csm_id"].notna().sum() == 2
    assert (result.loc[result["csm_id"].isna(), "reason"] == FULL).all()


def test_arr_target_caps_a_book_but_one_large_account_still_lands(models):
    csms = csm_frame({"csm_id": 10})
    accounts = account_frame(
        [(1, HIGH, None, None, 6_000_000_00, None), (2, HIGH, None, None, 1_00, None)]
    )
    result = owners(suggest_owners(accounts, csms, models, NO_POOLS, EMPTY_BOOK))
    assert result == {1: 10, 2: None}


def test_empty_pool_gives_a_reason(models):
    csms = csm_frame({"csm_id": 10})  # high-touch only
    pools = pd.DataFrame({"pool_id": [7], "coverage_model_id": [POOLED], "member_ids": [[]]})
    accounts = account_frame([(1, POOLED, None, None, 0, None)])
    result = suggest_owners(accounts, csms, models, pools, EMPTY_BOOK).iloc[0]
    assert pd.isna(result["csm_id"])
    assert "pools have no active members" in result["reason"]


def test_pool_members_serve_the_pool_model_and_get_the_pool(models):
    csms = csm_frame({"csm_id": 10}, {"csm_id": 11})
    pools = pd.DataFrame({"pool_id": [7], "coverage_model_id": [POOLED], "member_ids": [[11]]})
    accounts = account_frame([(1, POOLED, None, None, 0, None)])
    result = suggest_owners(accounts, csms, models, pools, EMPTY_BOOK).iloc[0]
    assert (result["csm_id"], result["pool_id"]) == (11, 7)


def test_no_csms_at_all_and_untiered_accounts(models):
    csms = csm_frame({"csm_id": 10, "active": False})
    accounts = account_frame([(1, HIGH, None, None, 0, None), (2, None, None, None, 0, None)])
    result = suggest_owners(accounts, csms, models, NO_POOLS, EMPTY_BOOK).set_index("account_id")
    assert result["csm_id"].isna().all()
    assert result.loc[1, "reason"] == "No active CSM serves High-touch."
    assert result.loc[2, "reason"] == NOT_TIERED


def test_same_data_same_proposals_whatever_the_row_order(models):
    csms = csm_frame(*({"csm_id": c, "model_ids": [HIGH, POOLED]} for c in range(10, 16)))
    rows = [
        (i, HIGH if i % 3 else POOLED, None, None, (i * 7919) % 50 * 1000_00, None)
        for i in range(1, 200)
    ]
    accounts = account_frame(rows)
    first = suggest_owners(accounts, csms, models, NO_POOLS, EMPTY_BOOK)
    shuffled = accounts.sample(frac=1, random_state=3)
    second = suggest_owners(shuffled, csms.iloc[::-1], models, NO_POOLS, EMPTY_BOOK)
    pd.testing.assert_frame_equal(first, second)


def test_no_accounts_gives_an_empty_frame(models):
    result = suggest_owners(
        account_frame([]), csm_frame({"csm_id": 10}), models, NO_POOLS, EMPTY_BOOK
    )
    assert result.empty
    assert list(result.columns) == ["account_id", "csm_id", "pool_id", "kept", "reason"]
