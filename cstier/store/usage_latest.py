"""Each account's latest usage figure of a metric and the mean of the few before it, in SQL.

The two engines answer this fastest in different forms, both reading the (metric, account,
period, value) index (migration 0040): PostgreSQL ranks each account's figures with a window
function, SQLite finds each account's latest period in one grouped pass over the index and
looks its value and those before it up there, since its window functions cost several times
that per figure.
"""

from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from cstier.models import UsageMetric
from cstier.store.range_reads import AccountRange


def latest_usage(
    session: Session,
    metric: str,
    before: date,
    since: date,
    periods: int,
    accounts: AccountRange | None = None,
) -> Select:
    """Select account_id, the latest value in [since, before) and the mean of up to `periods`
    values before it (NULL when there are none), one row per account with a figure (of the
    accounts in the range when given)."""
    in_range = (
        UsageMetric.metric == metric,
        UsageMetric.period_start < before,
        UsageMetric.period_start >= since,
    )
    if accounts is not None:
        in_range += (UsageMetric.account_id.between(*accounts),)
    if session.get_bind().dialect.name == "postgresql":
        return _windowed(in_range, periods)
    return _looked_up(in_range, periods)


def _windowed(in_range: tuple, periods: int) -> Select:
    """Each account's figures ranked newest first; the first and the mean of the next few."""
    back = (
        func.row_number()
        .over(partition_by=UsageMetric.account_id, order_by=UsageMetric.period_start.desc())
        .label("back")
    )
    ranked = select(UsageMetric.account_id, UsageMetric.value, back).where(*in_range).subquery()
    return (
        select(
            ranked.c.account_id,
            func.max(case((ranked.c.back == 1, ranked.c.value))),
            func.avg(case((ranked.c.back > 1, ranked.c.value))),
        )
        .where(ranked.c.back <= periods + 1)
        .group_by(ranked.c.account_id)
    )


def _looked_up(in_range: tuple, periods: int) -> Select:
    """Each account's latest period in one grouped pass, then its value and those before it."""
    latest = (
        select(UsageMetric.account_id, func.max(UsageMetric.period_start).label("latest"))
        .where(*in_range)
        .group_by(UsageMetric.account_id)
        .subquery()
    )
    mine = (*in_range, UsageMetric.account_id == latest.c.account_id)
    # A range, not `= latest`: SQLite then reads the value from the covering index, not the row.
    value = (
        select(UsageMetric.value)
        .where(*mine, UsageMetric.period_start <= latest.c.latest)
        .order_by(UsageMetric.period_start.desc())
        .limit(1)
        .scalar_subquery()
    )
    before = (
        select(UsageMetric.value)
        .where(*mine, UsageMetric.period_start < latest.c.latest)
        .order_by(UsageMetric.period_start.desc())
        .limit(periods)
        .correlate(latest)
        .subquery()
    )
    return select(latest.c.account_id, value, select(func.avg(before.c.value)).scalar_subquery())
