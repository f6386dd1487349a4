"""ISO weeks as the tier review counts them: Monday 00:00 UTC up to the next Monday."""

import re
from datetime import UTC, date, datetime, time, timedelta

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 1, 9998  # the week after 9999-W52 is past what a date can hold


class InvalidDate(ValueError):
    """A date or time the user typed that cannot be read."""


class InvalidWeek(InvalidDate):
    """A week the user typed that is not an ISO week (YYYY-Www)."""


def parse_week(text: str) -> date:
    """Return the Monday of an ISO week written YYYY-Www (e.g. 2026-W02)."""
    match = WEEK_PATTERN.match((text or "").strip())
    if match is None:
        raise InvalidWeek(f"'{text}' is not a week; write it as YYYY-Www, e.g. 2026-W02.")
    year, week = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidWeek(f"The year must be between {FIRST_YEAR} and {LAST_YEAR}.")
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        weeks = date(year, 12, 28).isocalendar().week  # 28 December is always in the last week
        raise InvalidWeek(f"{year} has weeks W01 to W{weeks}; there is no W{week:02d}.") from None


def check_week_start(week_start: date) -> date:
    """Return week_start if it is a Monday the review can count, else raise InvalidWeek."""
    if not isinstance(week_start, date) or isinstance(week_start, datetime):
        raise InvalidWeek("A week starts on a date (a Monday).")
    if week_start.isoweekday() != 1:
        raise InvalidWeek(f"A week starts on a Monday; {week_start.isoformat()} is not one.")
    if not FIRST_YEAR <= week_start.isocalendar().year <= LAST_YEAR:
        raise InvalidWeek(f"The year must be between {FIRST_YEAR} and {LAST_YEAR}.")
    return week_start


def week_label(week_start: date) -> str:
    """Return the ISO name of the week starting on week_start, e.g. 2026-W02."""
    year, week, _ = week_start.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """Return [Monday 00:00 UTC, next Monday 00:00 UTC) for the week."""
    start = datetime.combine(check_week_start(week_start), time.min, tzinfo=UTC)
    return start, start + timedelta(days=7)


def last_full_week(today: date) -> date:
    """Return the Monday of the last week that has ended by today."""
    return today - timedelta(days=today.weekday() + 7)


def neighbour_week(week_start: date, weeks: int) -> date | None:
    """Return the Monday `weeks` away, or None past the weeks the review can count."""
    try:
        return check_week_start(week_start + timedelta(weeks=weeks))
    except (OverflowError, InvalidWeek):
        return None


def parse_since(text: str) -> datetime:
    """Return the UTC instant for YYYY-MM-DD (its midnight) or an ISO 8601 date-time (naive = UTC)."""
    value = (text or "").strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidDate(
            f"'{text}' is not a date; write it as YYYY-MM-DD (or an ISO 8601 date-time)."
        ) from None
