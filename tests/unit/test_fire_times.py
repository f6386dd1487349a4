"""Fire times: cron in the workspace timezone (daylight saving included), caught up after downtime."""

from datetime import UTC, datetime, timedelta

import pytest

from cstier.domain.fire_times import InvalidCron, catch_up, fire_times, next_fire_time, parse_cron


def test_the_weekly_review_fires_at_seven_in_berlin_across_the_march_change():
    trigger = parse_cron("0 7 * * mon", "Europe/Berlin")

    fired = list(
        fire_times(trigger, datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 7, tzinfo=UTC))
    )

    # CET (UTC+1) before 29 March 2026, CEST (UTC+2) after: 07:00 local both times.
    assert fired == [
        datetime(2026, 3, 23, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 5, 0, tzinfo=UTC),
        datetime(2026, 4, 6, 5, 0, tzinfo=UTC),
    ]
    assert next_fire_time(trigger, fired[0]) == fired[1]


def test_a_fire_time_exactly_at_the_start_is_not_repeated():
    trigger = parse_cron("0 * * * *", "UTC")
    start = datetime(2026, 1, 1, 10, tzinfo=UTC)

    assert list(fire_times(trigger, start, start + timedelta(hours=1))) == [
        start + timedelta(hours=1)
    ]


@pytest.mark.parametrize(
    "expression",
    ["", "0 7 * *", "61 * * * *", "0 25 * * *", "0 7 * * funday", "* * * * * *", "a b c d e"],
)
def test_a_cron_expression_that_does_not_parse_is_refused_with_a_message(expression):
    with pytest.raises(InvalidCron) as refused:
        parse_cron(expression, "UTC")
    assert repr(expression) in str(refused.value)


def test_the_newest_due_fire_time_within_grace_runs_and_older_ones_are_missed():
    now = datetime(2026, 1, 1, 10, 10, tzinfo=UTC)
    due = [datetime(2026, 1, 1, h, tzinfo=UTC) for h in (7, 8, 9, 10)]

    within = catch_up(due, now, timedelta(minutes=30))
    beyond = catch_up(due, now + timedelta(hours=1), timedelta(minutes=30))

    assert within.run == due[-1] and within.missed == tuple(due[:-1])
    assert beyond.run is None and beyond.missed == tuple(due)
    assert catch_up([], now, timedelta(minutes=30)).run is None
