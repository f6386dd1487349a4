"""The weekly tier review on plain DataFrames: net moves, directions, ARR, matrix, movers."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from cstier.domain.reports import (
    InvalidDate,
    InvalidWeek,
    SchemeTiers,
    build_tier_review,
    direction,
    last_full_week,
    parse_since,
    parse_week,
    week_bounds,
    week_label,
)
from cstier.domain.reports.weeks import check_week_start, neighbour_week

VALUE = SchemeTiers(1, "Value tiers", "value", ("Strategic", "Growth", "Scale"))
NEEDS = SchemeTiers(2, "Needs tiers", "needs", ("High", "Medium", "Low"))
REGION = SchemeTiers(3, "Region", "segment", ("NA", "EMEA", "APAC", "Other"))
SCHEMES = [VALUE, NEEDS, REGION]
MONDAY = datetime(2026, 1, 5, 9, 0)


def changes(*rows: tuple) -> pd.DataFrame:
    """Rows of (account_id, scheme_id, from_tier, to_tier, arr dollars[, name])."""
    records = []
    for position, row in enumerate(rows, start=1):
        account_id, scheme_id, from_tier, to_tier, dollars, *name = row
        records.append(
            {
                "change_id": position,
                "account_id": account_id,
                "scheme_id": scheme_id,
                "from_tier": from_tier,
                "to_tier": to_tier,
                "at": MONDAY + pd.Timedelta(minutes=position),
                "arr_cents": dollars * 100,
                "account_name": name[0] if name else f"Account {account_id}",
            }
        )
    columns = ["change_id", "account_id", "scheme_id", "from_tier", "to_tier", "at", "arr_cents"]
    return pd.DataFrame(records, columns=[*columns, "account_name"])


def by_id(review, scheme_id: int):
    return next(s for s in review.schemes if s.scheme_id == scheme_id)


def test_empty_week_lists_every_scheme_with_zeros():
    review = build_tier_review(changes(), SCHEMES)
    assert review.empty and review.lines == ["No tier changes in this week."]
    assert [s.name for s in review.schemes] == ["Value tiers", "Needs tiers", "Region"]
    assert all(s.accounts_changed == 0 and s.matrix == [] for s in review.schemes)
    assert review.top_movers == [] and (review.arr_up_cents, review.arr_down_cents) == (0, 0)


def test_only_first_tierings_are_new_not_movers():
    review = build_tier_review(
        changes((1, 1, None, "Strategic", 300_000), (2, 1, None, "Scale", 10_000)), SCHEMES
    )
    value = by_id(review, 1)
    assert (value.new, value.up, value.down) == (2, 0, 0)
    assert review.top_movers == [] and value.top_movers == []
    assert {(c["from_tier"], c["to_tier"]) for c in value.matrix} == {
        ("(none)", "Strategic"),
        ("(none)", "Scale"),
    }
    assert "Value tiers: 2 newly tiered." in review.lines


def test_up_and_down_follow_the_tier_order_first_is_highest():
    review = build_tier_review(
        changes(
            (1, 1, "Growth", "Strategic", 300_000),
            (2, 1, "Strategic", "Scale", 40_000),
            (3, 1, "Scale", "Growth", 60_000),
        ),
        SCHEMES,
    )
    value = by_id(review, 1)
    assert (value.up, value.down, value.new) == (2, 1, 0)
    assert value.arr_up_cents == 360_000_00 and value.arr_down_cents == 40_000_00
    assert value.matrix[0] == {
        "from_tier": "Strategic",
        "to_tier": "Scale",
        "accounts": 1,
        "arr_cents": 40_000_00,
    }
    assert review.lines[1] == "Value tiers: 2 up ($360k ARR), 1 down ($40k ARR)."
    assert review.lines[-1].startswith("Biggest move: Account 1, Growth → Strategic")


def test_net_move_counts_an_account_once_and_a_round_trip_as_returned():
    review = build_tier_review(
        changes(
            (1, 1, "Scale", "Growth", 100_000),
            (1, 1, "Growth", "Strategic", 300_000),  # latest ARR wins
            (2, 1, "Growth", "Scale", 45_000),
            (2, 1, "Scale", "Growth", 55_000),
        ),
        SCHEMES,
    )
    value = by_id(review, 1)
    assert (value.changes, value.up, value.down, value.returned) == (4, 1, 0, 1)
    assert value.matrix == [
        {"from_tier": "Scale", "to_tier": "Strategic", "accounts": 1, "arr_cents": 300_000_00}
    ]
    assert "moved and came back" in review.lines[1]


def test_segment_moves_are_neither_up_nor_down():
    review = build_tier_review(changes((1, 3, "NA", "EMEA", 50_000)), SCHEMES)
    region = by_id(review, 3)
    assert (region.up, region.down, region.moved, region.ranked) == (0, 0, 1, False)
    assert review.top_movers[0]["direction"] == "moved"


def test_a_tier_missing_from_the_current_order_is_a_move():
    review = build_tier_review(changes((1, 1, "Platinum", "Strategic", 900_000)), SCHEMES)
    assert by_id(review, 1).moved == 1


def test_top_movers_rank_by_arr_and_break_ties_by_account_id():
    review = build_tier_review(
        changes(
            (7, 1, "Growth", "Strategic", 100_000),
            (3, 1, "Strategic", "Growth", 100_000),
            (5, 1, "Scale", "Growth", 200_000),
            (9, 1, "Growth", "Scale", 10_000),
        ),
        SCHEMES,
        top_n=3,
    )
    assert [m["account_id"] for m in review.top_movers] == [5, 3, 7]
    assert [m["direction"] for m in review.top_movers] == ["up", "down", "up"]


def test_several_schemes_are_counted_apart():
    review = build_tier_review(
        changes(
            (1, 1, "Growth", "Strategic", 300_000),
            (1, 2, "High", "Low", 300_000),
            (2, 2, None, "Medium", 20_000),
        ),
        SCHEMES,
    )
    assert (by_id(review, 1).up, by_id(review, 1).down) == (1, 0)
    assert (by_id(review, 2).down, by_id(review, 2).new) == (1, 1)
    assert (review.accounts, review.changes, review.up, review.down, review.new) == (1, 2, 1, 1, 1)
    assert review.lines[0] == "1 account changed tier (2 changes); 1 newly tiered."
    assert [line.split(":")[0] for line in review.lines[1:3]] == ["Value tiers", "Needs tiers"]


def test_an_unknown_scheme_still_appears():
    review = build_tier_review(changes((1, 42, "A", "B", 1)), [VALUE])
    assert by_id(review, 42).name == "Scheme #42" and by_id(review, 42).moved == 1


@pytest.mark.parametrize(
    ("from_tier", "to_tier", "dimension", "expected"),
    [
        (None, "Scale", "value", "new"),
        ("Scale", "Growth", "value", "up"),
        ("Growth", "Scale", "value", "down"),
        ("Growth", "Growth", "value", "returned"),
        ("NA", "EMEA", "segment", "moved"),
    ],
)
def test_direction_of_one_move(from_tier, to_tier, dimension, expected):
    tiers = ("Strategic", "Growth", "Scale", "NA", "EMEA")
    assert direction(from_tier, to_tier, tiers, dimension) == expected


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W02", date(2026, 1, 5)),
        ("2026-w01", date(2025, 12, 29)),
        ("2026-W53", date(2026, 12, 28)),
    ],
)
def test_parse_week(text, monday):
    assert parse_week(text) == monday and week_label(monday) == text.upper()


@pytest.mark.parametrize(
    "text", ["2026-W99", "2025-W53", "2026-W00", "garbage", "", "2026W02", "0000-W01", "9999-W01"]
)
def test_parse_week_refuses(text):
    with pytest.raises(InvalidWeek):
        parse_week(text)


def test_week_bounds_and_neighbours():
    start, end = week_bounds(date(2026, 1, 5))
    assert (start.isoformat(), end.isoformat()) == (
        "2026-01-05T00:00:00+00:00",
        "2026-01-12T00:00:00+00:00",
    )
    assert last_full_week(date(2026, 1, 14)) == date(2026, 1, 5)
    assert last_full_week(date(2026, 1, 12)) == date(2026, 1, 5)
    assert neighbour_week(date(2026, 1, 5), -1) == date(2025, 12, 29)
    assert neighbour_week(date(1, 1, 1), -1) is None
    with pytest.raises(InvalidWeek):
        check_week_start(date(2026, 1, 6))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
        ("2026-01-05T10:30:00", datetime(2026, 1, 5, 10, 30, tzinfo=UTC)),
        ("2026-01-05T12:30:00+02:00", datetime(2026, 1, 5, 10, 30, tzinfo=UTC)),
    ],
)
def test_parse_since(text, expected):
    assert parse_since(text) == expected


@pytest.mark.parametrize(
    "text", ["garbage", "", "2026-13-01", "0001-01-01T00:00:00+05:00", "2026-01-05\x00"]
)
def test_parse_since_refuses(text):
    with pytest.raises(InvalidDate):
        parse_since(text)


def test_first_tierings_are_not_counted_as_changes():
    review = build_tier_review(
        changes((1, 1, None, "Strategic", 300_000), (2, 1, None, "Scale", 10_000)), SCHEMES
    )
    assert (review.accounts, review.changes, review.new) == (0, 0, 2)
    assert by_id(review, 1).accounts_changed == 0
    assert review.lines[0] == "0 accounts changed tier (0 changes); 2 newly tiered."
    assert not review.empty


def test_first_tiered_then_moved_in_the_same_week_counts_by_its_move_as_alerts_do():
    frame = changes(
        (1, 1, None, "Growth", 300_000),
        (1, 1, "Growth", "Strategic", 300_000),
        (2, 1, None, "Scale", 10_000),
    )
    review = build_tier_review(frame, SCHEMES)
    value = by_id(review, 1)
    assert (value.up, value.down, value.new) == (1, 0, 1)
    assert (review.accounts, review.changes, review.arr_up_cents) == (1, 1, 300_000_00)
    assert review.lines[0] == "1 account changed tier (1 change); 1 newly tiered."
