"""Onboarding statuses in bulk: the daily check rewrites every onboarding's status at once."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from cstier.store.bulk_writes import BulkWriter

COLUMNS = ("status", "first_value_on", "completed_on", "checked_at")


def write_onboarding_statuses(
    session: Session, rows: Iterable[tuple[int, str, date | None, date | None]], now: datetime
) -> int:
    """Set status, first value and completion days (account_id first) and checked_at = now."""
    writer = BulkWriter(session, now)

    def day(value: date | None):
        # SQLite keeps dates as ISO text; PostgreSQL's COPY takes the date itself.
        return value if value is None or writer.postgres else value.isoformat()

    planned = [
        (account_id, status, day(first_value), day(completed), writer.stamp)
        for account_id, status, first_value, completed in rows
    ]
    writer.update("account_onboarding", ["account_id"], COLUMNS, planned)
    return len(planned)
