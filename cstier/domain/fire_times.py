"""When scheduled jobs fire: cron expressions in the workspace timezone, fire times in UTC."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger


class InvalidCron(ValueError):
    """A cron expression that does not parse."""


def parse_cron(expression: str, timezone: str) -> CronTrigger:
    """Return the trigger of a five-field cron expression in a timezone, or raise InvalidCron."""
    fields = expression.split()
    if len(fields) != 5:
        raise InvalidCron(
            f"{expression!r} is not a cron expression: give five fields, "
            "minute hour day-of-month month day-of-week, e.g. '0 7 * * mon'."
        )
    try:
        return CronTrigger.from_crontab(" ".join(fields), timezone=ZoneInfo(timezone))
    except (ValueError, KeyError) as exc:
        raise InvalidCron(f"{expression!r} does not parse: {exc}.") from exc


def fire_times(trigger: CronTrigger, after: datetime, until: datetime) -> Iterator[datetime]:
    """Yield, in UTC, the trigger's fire times later than `after` up to and including `until`."""
    previous = None
    moment = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    while moment is not None and moment <= until:
        yield moment.astimezone(UTC)
        previous = moment
        moment = trigger.get_next_fire_time(previous, moment + timedelta(microseconds=1))


def next_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """Return the trigger's first fire time after `now`, in UTC."""
    moment = trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
    return moment.astimezone(UTC) if moment else None


@dataclass(frozen=True)
class CatchUp:
    """What a scheduler does with the fire times it finds due: run one, record the rest missed."""

    run: datetime | None
    missed: tuple[datetime, ...]


def catch_up(due: list[datetime], now: datetime, grace: timedelta) -> CatchUp:
    """Run the newest due fire time if it is within the grace period; the others were missed.

    As APScheduler's coalesce does for one process, but over the fire times recorded in the
    database, so downtime of every scheduler is caught up once.
    """
    if not due:
        return CatchUp(None, ())
    newest = max(due)
    if now - newest <= grace:
        return CatchUp(newest, tuple(t for t in due if t != newest))
    return CatchUp(None, tuple(due))


def as_utc(moment: datetime) -> datetime:
    """Return a stored time as aware UTC (SQLite hands times back without their zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class JobPlan:
    """A scheduled job as declared: its name, what admins read, and its default cron."""

    name: str
    title: str
    cron: str
