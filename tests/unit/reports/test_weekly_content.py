"""Local week bounds, falls from the top tier, figures beside last week's, download tables."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from cstier.domain.reports import InvalidWeek
from cstier.domain.reports.local_weeks import (
    WeekNotEnded,
    check_week_ended,
    last_ended_week,
    local_week_bounds,
)
from cstier.domain.reports.weekly_content import (
    SECTIONS,
    fell_from_top,
    figure,
    section_tables,
    with_previous,
)

TIERS = ["Strategic", "Growth", "Scale"]


@pytest.mark.parametrize(
    ("monday", "timezone", "starts", "ends"),
    [
        (date(2026, 1, 5), "UTC", datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC)),
        # Berlin springs forward on 29 March: 167 hours.
        (date(2026, 3, 23), "Europe/Berlin", datetime(2026, 3, 22, 23, tzinfo=UTC),
         datetime(2026, 3, 29, 22, tzinfo=UTC)),
        # Berlin falls back on 25 October: 169 hours.
        (date(2026, 10, 19), "Europe/Berlin", datetime(2026, 10, 18, 22, tzinfo=UTC),
         datetime(2026, 10, 25, 23, tzinfo=UTC)),
        # Los Angeles springs forward on 8 March.
        (date(2026, 3, 2), "America/Los_Angeles", datetime(2026, 3, 2, 8, tzinfo=UTC),
         datetime(2026, 3, 9, 7, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_week_runs_from_local_monday_midnight_to_the_next(monday, timezone, starts, ends):
    assert local_week_bounds(monday, timezone) == (starts, ends)


def test_the_last_ended_week_depends_on_the_local_date():
    sunday_night_utc = datetime(2026, 1, 11, 23, 30, tzinfo=UTC)
    assert last_ended_week(sunday_night_utc, "UTC") == date(2025, 12, 29)
    assert last_ended_week(sunday_night_utc, "Europe/Berlin") == date(2026, 1, 5)


def test_a_week_that_has_not_ended_is_refused_with_the_last_ended_one():
    with pytest.raises(
        WeekNotEnded, match="2026-W02 has not ended yet.*last ended week is 2026-W01"
    ):
        check_week_ended(date(2026, 1, 5), "UTC", datetime(2026, 1, 11, 12, tzinfo=UTC))
    assert check_week_ended(date(2026, 1, 5), "UTC", datetime(2026, 1, 12, tzinfo=UTC))


def test_an_unknown_timezone_or_a_tuesday_is_refused():
    with pytest.raises(InvalidWeek, match="Unknown workspace timezone"):
        local_week_bounds(date(2026, 1, 5), "Mars/Olympus")
    with pytest.raises(InvalidWeek, match="not one"):
        local_week_bounds(date(2026, 1, 6), "UTC")


def test_only_a_net_fall_from_the_top_tier_counts():
    changes = pd.DataFrame(
        [
            (1, "Strategic", "Growth", 1), (1, "Growth", "Scale", 2),  # fell two bands: counts
            (2, "Strategic", "Growth", 1), (2, "Growth", "Strategic", 2),  # came back
            (3, "Growth", "Scale", 1),  # fell, but not from the top
            (4, None, "Growth", 1),  # first tiering
        ],
        columns=["account_id", "from_tier", "to_tier", "at"],
    )  # fmt: skip
    fell = fell_from_top(changes, TIERS)
    assert fell.to_dict("records") == [
        {"account_id": 1, "from_tier": "Strategic", "to_tier": "Scale"}
    ]


def test_a_figure_carries_last_weeks_value_and_the_change():
    assert figure("up", "Up", 5, {"up": 3}) == {
        "key": "up", "label": "Up", "value": 5, "previous": 3, "change": 2
    }  # fmt: skip
    assert figure("up", "Up", 5, None)["previous"] is None
    metrics = [{"key": "nrr.smb", "label": "NRR SMB", "segment": "SMB", "value": 1.02}]
    (carried,) = with_previous(metrics, [{"key": "nrr.smb", "value": 0.98}])
    assert carried["segment"] == "SMB" and carried["previous"] == 0.98
    assert carried["change"] == pytest.approx(0.04)


def test_every_section_has_a_table_with_its_columns_even_when_empty():
    tables = section_tables({})
    assert tuple(tables) == SECTIONS and all(t.empty for t in tables.values())
    assert list(tables["hidden_gems"].columns) == [
        "account_id",
        "account_name",
        "arr_cents",
        "signals",
    ]


def test_tables_keep_their_column_order_and_join_signals():
    gem = {
        "signals": ["usage up", "expanded"],
        "arr_cents": 5,
        "account_name": "A",
        "account_id": 1,
    }
    table = section_tables({"hidden_gems": {"accounts": [gem]}})["hidden_gems"]
    assert table.to_dict("records") == [
        {"account_id": 1, "account_name": "A", "arr_cents": 5, "signals": "usage up; expanded"}
    ]
