"""ISO weeks in the workspace's timezone: local Monday 00:00 up to the next local Monday."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cstier.domain.reports.weeks import InvalidWeek, check_week_start, week_label


class WeekNotEnded(InvalidWeek):
    """A weekly report was asked for a week that has not ended yet."""


def zone(timezone: str) -> ZoneInfo:
    """Return the zone of a timezone name, or raise InvalidWeek naming it."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidWeek(f"Unknown workspace timezone {timezone!r}.") from None


def local_week_bounds(week_start: date, timezone: str) -> tuple[datetime, datetime]:
    """Return [local Monday 00:00, next local Monday 00:00) of the week, in UTC.

    Computed from each Monday's local midnight, so a week with a daylight-saving change
    lasts 167 or 169 hours.
    """
    tz = zone(timezone)
    monday = check_week_start(week_start)
    starts_at = datetime.combine(monday, time.min, tzinfo=tz).astimezone(UTC)
    ends_at = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=tz).astimezone(UTC)
    return starts_at, ends_at


def last_ended_week(now: datetime, timezone: str) -> date:
    """Return the Monday of the last week that has ended at `now` in the timezone."""
    today = now.astimezone(zone(timezone)).date()
    return today - timedelta(days=today.weekday() + 7)


def check_week_ended(week_start: date, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """Return the week's UTC bounds, or raise WeekNotEnded if it has not ended at `now`."""
    starts_at, ends_at = local_week_bounds(week_start, timezone)
    if now < ends_at:
        raise WeekNotEnded(
            f"Week {week_label(week_start)} has not ended yet (it ends "
            f"{ends_at.astimezone(zone(timezone)):%a %d %b %Y %H:%M} {timezone}); "
            f"the last ended week is {week_label(last_ended_week(now, timezone))}."
        )
    return starts_at, ends_at
