"""Periods a retention figure compares: two snapshots of the book, on `start` and on `end`."""

from dataclasses import dataclass
from datetime import date

EPOCH = date(1970, 1, 1)


class InvalidPeriod(ValueError):
    """A period the user asked for cannot be measured (its end is not after its start)."""


@dataclass(frozen=True, order=True)
class Period:
    """From the opening snapshot on `start` to the closing one on `end` (end > start)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidPeriod(
                f"end: the period's end {self.end.isoformat()} is not after its start "
                f"{self.start.isoformat()}"
            )

    @property
    def label(self) -> str:
        """Return the period as written in views: a month name or start – end."""
        if self.start.day == 1 and self.end == next_month(self.start):
            return self.start.strftime("%b %Y")
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def day_number(day: date) -> int:
    """Return the day as days since 1970-01-01, the engine's date unit."""
    return (day - EPOCH).days


def next_month(day: date) -> date:
    """Return the first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def add_months(first: date, months: int) -> date:
    """Return the first day of the month `months` after (or before) `first`'s."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month(first: date) -> Period:
    """Return the month starting on `first`'s month."""
    start = first.replace(day=1)
    return Period(start, next_month(start))


def quarter(day: date) -> Period:
    """Return the calendar quarter holding `day`."""
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(start, add_months(start, 3))


def year(day: date) -> Period:
    """Return the 12 months from `day`'s month: one cohort, not compounded months."""
    start = day.replace(day=1)
    return Period(start, add_months(start, 12))


def last_full_month(today: date) -> Period:
    """Return the last month that has ended by `today`."""
    return month(add_months(today.replace(day=1), -1))


def trailing_months(today: date, count: int) -> list[Period]:
    """Return the `count` full months before `today`, oldest first."""
    if count < 1:
        raise InvalidPeriod("periods: ask for at least one month")
    last = last_full_month(today).start
    return [month(add_months(last, -back)) for back in range(count - 1, -1, -1)]
