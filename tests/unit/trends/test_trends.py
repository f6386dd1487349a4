"""Weekly points from per-run snapshots, moves into tiers, and rewinding a mix."""

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from cstier.domain.reports.tier_review import SchemeTiers
from cstier.domain.trends import (
    move_totals,
    moves_into,
    rewind,
    totals_by,
    week_starts,
    weekly_points,
    weekly_sums,
)

VALUE = SchemeTiers(1, "Value", "value", ("Strategic", "Growth", "Scale"))
REGION = SchemeTiers(2, "Region", "segment", ("EMEA", "NA"))


def snapshots(*rows):
    """Rows of (run_id, at, key, accounts)."""
    return pd.DataFrame(
        [
            {"run_id": r, "at": at, "key": k, "accounts": n, "arr_cents": n * 100}
            for r, at, k, n in rows
        ]
    )


def test_week_starts_are_the_last_mondays_current_last():
    assert week_starts(date(2026, 3, 11), 3) == [
        date(2026, 2, 23),
        date(2026, 3, 2),
        date(2026, 3, 9),
    ]


def test_each_week_shows_its_last_run_and_carries_it_over_quiet_weeks():
    mondays = week_starts(date(2026, 3, 18), 4)  # 23 Feb .. 16 Mar
    frame = snapshots(
        (1, datetime(2026, 2, 24, tzinfo=UTC), "Growth", 1),
        (2, datetime(2026, 2, 26, tzinfo=UTC), "Growth", 2),
        (3, datetime(2026, 3, 9, 0, 0, tzinfo=UTC), "Growth", 5),  # Monday 00:00: next week's
    )
    points = weekly_points(frame, mondays)
    assert list(points["week"]) == mondays
    assert list(points["accounts"]) == [2, 2, 5, 5]


def test_weeks_before_the_first_run_have_no_point():
    frame = snapshots((1, datetime(2026, 3, 10, tzinfo=UTC), "Growth", 1))
    points = weekly_points(frame, week_starts(date(2026, 3, 11), 3))
    assert list(points["week"]) == [date(2026, 3, 9)]


def test_weekly_sums_add_the_runs_of_each_week():
    frame = snapshots(
        (1, datetime(2026, 3, 2, 6, tzinfo=UTC), "Growth", 1),
        (2, datetime(2026, 3, 5, 6, tzinfo=UTC), "Growth", 2),
        (3, datetime(2026, 3, 10, 6, tzinfo=UTC), "Growth", 4),
    )
    sums = weekly_sums(frame, week_starts(date(2026, 3, 11), 2), ["accounts"])
    assert list(sums["accounts"]) == [3, 4]


def moves(*rows):
    return pd.DataFrame(
        [
            {"scheme_id": s, "from_key": f, "to_key": t, "accounts": n, "arr_cents": n * 10}
            for s, f, t, n in rows
        ]
    )


def test_moves_into_count_up_and_down_by_rank_and_skip_first_tierings_and_segments():
    into = moves_into(
        moves((1, "Growth", "Strategic", 2), (1, "Scale", "Strategic", 1), (1, "Strategic", "Growth", 4),
              (1, None, "Scale", 9), (2, "EMEA", "NA", 3)),
        {1: VALUE, 2: REGION},
    )  # fmt: skip
    rows = into.set_index("tier")
    assert list(into["scheme_id"].unique()) == [1]
    assert (rows.at["Strategic", "up"], rows.at["Strategic", "arr_up_cents"]) == (3, 30)
    assert (rows.at["Growth", "down"], rows.at["Growth", "up"]) == (4, 0)
    assert "Scale" not in rows.index


def test_rewind_undoes_a_runs_moves():
    state = pd.DataFrame({"accounts": [3, 2], "arr_cents": [30, 20]}, index=["Strategic", "Growth"])
    moved = pd.DataFrame(
        {"run_id": [1, 1], "from_key": ["Growth", None], "to_key": ["Strategic", "Growth"],
         "accounts": [1, 2], "arr_cents": [10, 20]}
    )  # fmt: skip
    back = rewind(state, moved)
    assert back.to_dict("index") == {
        "Growth": {"accounts": 1, "arr_cents": 10},
        "Strategic": {"accounts": 2, "arr_cents": 20},
    }


def test_totals_count_accounts_and_sum_arr_per_key_leaving_untiered_out():
    keys = pd.Series(["Growth", None, "Strategic", "Growth"], dtype="category")
    totals = totals_by(keys, np.array([100, 5, 700, 50]))
    assert sorted(totals.itertuples(index=False, name=None)) == [
        ("Growth", 2, 150),
        ("Strategic", 1, 700),
    ]


def test_move_totals_keep_first_tierings_apart():
    changes = pd.DataFrame(
        {
            "from_tier": pd.Series([None, "Growth", "Growth"], dtype="str"),
            "to_tier": ["Growth", "Strategic", "Strategic"],
        }
    )
    moved = move_totals(changes, np.array([10, 20, 30]))
    rows = {(r.from_key if isinstance(r.from_key, str) else None, r.to_key): (r.accounts, r.arr_cents)
            for r in moved.itertuples()}  # fmt: skip
    assert rows == {(None, "Growth"): (1, 10), ("Growth", "Strategic"): (2, 50)}
