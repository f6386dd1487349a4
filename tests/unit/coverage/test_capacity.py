"""Per-CSM load by count and ARR against the model's target, scaled by FTE."""

import pandas as pd
import pytest

from cstier.domain.coverage import csm_loads, load_status
from tests.unit.coverage.conftest import HIGH, POOLED, book_frame, csm_frame


def test_load_by_count_and_arr_scaled_by_fte(models):
    csms = csm_frame({"csm_id": 10, "fte": 0.5})
    book = book_frame([(i, 10, HIGH, 100_000_00) for i in range(20)])
    row = csm_loads(book, csms, models).iloc[0]
    assert row["accounts"] == 20
    assert row["load_pct"] == 80.0  # 20 of 50, on half an FTE
    assert row["arr_load_pct"] == 80.0  # 2M of 5M, on half an FTE
    assert row["status"] == "under"


def test_mixed_book_adds_fte_shares(models):
    csms = csm_frame({"csm_id": 10, "model_ids": [HIGH, POOLED]})
    book = book_frame([(1, 10, HIGH, 0)] * 25 + [(2, 10, POOLED, 0)] * 150)
    row = csm_loads(book, csms, models).iloc[0]
    assert row["load_pct"] == 100.0  # half a high-touch book plus half a pooled book
    assert row["status"] == "on_target"


def test_arr_load_is_missing_without_an_arr_target(models):
    csms = csm_frame({"csm_id": 10, "model_ids": [POOLED]})
    row = csm_loads(book_frame([(1, 10, POOLED, 9_000_00)]), csms, models).iloc[0]
    assert pd.isna(row["arr_load_pct"])


def test_empty_book_shows_every_csm_at_zero(models):
    loads = csm_loads(book_frame([]), csm_frame({"csm_id": 10}, {"csm_id": 11}), models)
    assert loads["load"].tolist() == [0.0, 0.0]
    assert loads["status"].tolist() == ["under", "under"]


def test_unmodelled_account_counts_against_the_csm_first_model(models):
    csms = csm_frame({"csm_id": 10})
    row = csm_loads(book_frame([(1, 10, None, 0)]), csms, models).iloc[0]
    assert row["load_pct"] == 2.0


def test_over_target_is_over(models):
    csms = csm_frame({"csm_id": 10})
    book = book_frame([(i, 10, HIGH, 0) for i in range(60)])
    row = csm_loads(book, csms, models).iloc[0]
    assert (row["load_pct"], row["status"]) == (120.0, "over")


@pytest.mark.parametrize(
    ("load", "status"),
    [(0, "under"), (84.9, "under"), (85, "on_target"), (100, "on_target"), (100.1, "over")],
)
def test_load_status_bands(load, status):
    assert load_status(load) == status
