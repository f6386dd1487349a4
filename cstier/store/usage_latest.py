"""Each account's latest usage figure of a metric and the mean of the few before it.

The two engines answer this fastest in different forms, both reading the (metric, account,
period, value) index (migration 0040). PostgreSQL sends the figures of the window as three
binary columns, grouped here by NumPy: ranking them in SQL sorted each account's figures
again and cost the server several times the scan. SQLite finds each account's latest period
in one grouped pass over the index and looks its value and those before it up there, since
its window functions cost several times that per figure.
"""

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from cstier.models import UsageMetric
from cstier.store.bulk_reads import read_frame
from cstier.store.metric_reads import day_number
from cstier.store.range_reads import AccountRange

COLUMNS = ["account_id", "latest", "earlier"]
DTYPES = ["int64", "float64", "float64"]


def read_latest_usage(
    session: Session,
    metric: str,
    before: date,
    since: date,
    periods: int,
    accounts: AccountRange | None = None,
) -> pd.DataFrame:
    """Return account_id, the latest value in [since, before) and the mean of up to `periods`
    values before it (NaN when there are none), one row per account with a figure (of the
    accounts in the range when given)."""
    if session.get_bind().dialect.name != "postgresql":
        stmt = _looked_up(_in_range(metric, before, since, accounts), periods)
        frame = read_frame(session, stmt, COLUMNS)
        for name in COLUMNS[1:]:
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        return frame
    account, day, value = _figures(session, metric, before, since, accounts)
    return _latest_and_earlier(account, day, value, periods)


def _in_range(metric: str, before: date, since: date, accounts: AccountRange | None) -> tuple:
    in_range = (
        UsageMetric.metric == metric,
        UsageMetric.period_start < before,
        UsageMetric.period_start >= since,
    )
    if accounts is not None:
        in_range += (UsageMetric.account_id.between(*accounts),)
    return in_range


def _figures(
    session: Session, metric: str, before: date, since: date, accounts: AccountRange | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the figures' account ids, period day numbers and values, in no set order.

    One query whose aggregates join each column's binary form into one bytea (all of a
    query's aggregates see the rows in the same order), read in place by NumPy.
    """
    joined = [
        func.string_agg(func.int4send(column), literal_column("''::bytea"))
        for column in (UsageMetric.account_id, day_number(session, UsageMetric.period_start))
    ]
    joined.append(func.string_agg(func.float8send(UsageMetric.value), literal_column("''::bytea")))
    stmt = select(func.count(), *joined).where(*_in_range(metric, before, since, accounts))
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    cursor = connection.connection.driver_connection.cursor(binary=True)
    with cursor:
        cursor.execute(str(compiled), compiled.params)
        count, *columns = cursor.fetchone()
    account, day, value = (
        np.frombuffer(joined or b"", dtype=kind).astype(kind.lstrip(">"))
        for joined, kind in zip(columns, (">i4", ">i4", ">f8"), strict=True)
    )
    if not len(account) == len(day) == len(value) == count:
        raise ValueError("usage figures read with a column of another length")
    return account, day, value


def _latest_and_earlier(
    account: np.ndarray, day: np.ndarray, value: np.ndarray, periods: int
) -> pd.DataFrame:
    """Group figures by account: the newest value, and the mean of up to `periods` before it.

    The mean adds the values newest first, as PostgreSQL's avg() did over the ranked figures,
    so every bit of it is as before.
    """
    if not len(account):
        return pd.DataFrame(
            {name: np.zeros(0, dtype) for name, dtype in zip(COLUMNS, DTYPES, strict=True)}
        )
    key = account.astype(np.int64) << 32 | (day.astype(np.int64) + 2**31)
    if not (key[1:] > key[:-1]).all():
        order = np.argsort(key, kind="stable")
        account, value = account[order], value[order]
    last = np.flatnonzero(np.append(account[1:] != account[:-1], True))
    total = np.zeros(len(last))
    counted = np.zeros(len(last))
    for back in range(1, periods + 1):
        at = last - back
        mine = at >= 0
        mine[mine] = account[at[mine]] == account[last[mine]]
        total = np.where(mine, total + value[np.where(mine, at, 0)], total)
        counted += mine
    with np.errstate(invalid="ignore", divide="ignore"):
        earlier = np.where(counted > 0, total / counted, np.nan)
    return pd.DataFrame(
        {"account_id": account[last].astype(np.int64), "latest": value[last], "earlier": earlier}
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
