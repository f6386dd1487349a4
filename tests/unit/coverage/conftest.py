"""Plain frames for the coverage maths: three models, a few CSMs, no database."""

import pandas as pd
import pytest

HIGH, POOLED, TECH = 1, 2, 3


@pytest.fixture
def models() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "coverage_model_id": [HIGH, POOLED, TECH],
            "key": ["high_touch", "pooled", "tech_touch"],
            "name": ["High-touch", "Pooled", "Tech-touch"],
            "accounts_per_csm": [50, 300, 2000],
            "arr_per_csm_cents": [5_000_000_00, None, None],
            "hard_limit_pct": [125, 125, 125],
        }
    )


def csm_frame(*rows: dict) -> pd.DataFrame:
    """Build a CSM frame; unspecified columns get permissive defaults."""
    defaults = {"fte": 1.0, "active": True, "regions": [], "verticals": [], "model_ids": [HIGH]}
    return pd.DataFrame([{**defaults, **row} for row in rows])


def book_frame(rows: list[tuple]) -> pd.DataFrame:
    """Build a book from (account_id, csm_id, model_id, arr_cents) tuples."""
    return pd.DataFrame(rows, columns=["account_id", "csm_id", "coverage_model_id", "arr_cents"])


def account_frame(rows: list[tuple]) -> pd.DataFrame:
    """Build accounts to place from (id, model, region, vertical, arr_cents, csm_id) tuples."""
    return pd.DataFrame(
        rows,
        columns=["account_id", "coverage_model_id", "region", "vertical", "arr_cents", "csm_id"],
    )


NO_POOLS = pd.DataFrame({"pool_id": [], "coverage_model_id": [], "member_ids": []})
EMPTY_BOOK = book_frame([])
