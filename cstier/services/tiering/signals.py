"""Needs signals from the records behind them: expressed needs, subscriptions and usage.

Where an account has records, they decide, else the value its attributes carry; each
signal is one GROUP BY in the database, so the book never travels row by row.
"""

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from cstier.models import AccountNeed, Subscription, UsageMetric
from cstier.models.base import utcnow
from cstier.services.tiering.current_arr import active_on
from cstier.store.bulk_reads import distinct_values, overlay, read_frame

NEED_PREFIX = "need."
USAGE_PREFIX = "usage."
NEED_FIELDS = {"validated_need_count": "number", "need_count": "number"}
SUBSCRIPTION_FIELDS = {"product_count": "number", "seats": "number"}


def signal_catalog(session: Session) -> dict[str, str]:
    """Return the record-backed fields: the fixed ones plus one per need code and usage metric.

    `validated_need_count` counts validated needs, `need_count` every expressed need (from
    a survey or validated by a CSM); `need.<code>` is true when the account has a validated
    need with that code; `product_count` counts the distinct products of active
    subscriptions, `seats` sums their quantity; `usage.<metric>` is the metric's value in
    the latest period reported.
    """
    catalog = {**NEED_FIELDS, **SUBSCRIPTION_FIELDS}
    # Pages ask this on every view: step through the indexes rather than scan every record.
    for code in distinct_values(session, AccountNeed.__table__.c.code):
        catalog[f"{NEED_PREFIX}{code}"] = "boolean"
    for metric in distinct_values(session, UsageMetric.__table__.c.metric):
        catalog[f"{USAGE_PREFIX}{metric}"] = "number"
    return catalog


def is_signal(name: str) -> bool:
    """Tell whether a field is computed from records rather than read from a column."""
    return (
        name in NEED_FIELDS
        or name in SUBSCRIPTION_FIELDS
        or name.startswith((NEED_PREFIX, USAGE_PREFIX))
    )


def attribute_fallback(name: str) -> bool:
    """Tell whether a signal falls back to the account attribute of the same name."""
    return name in NEED_FIELDS or name in SUBSCRIPTION_FIELDS


def add_signals(
    session: Session,
    book: pd.DataFrame,
    names: list[str],
    day: date | None = None,
    accounts: Sequence[int] | None = None,
) -> None:
    """Fill the book's signal columns in place, aligned on book["account_id"].

    A column already in the book holds the attribute values used where an account has
    no records (from a CRM export, say); the records' values replace them where it has.
    An account with neither has a missing input, whose weight the needs score shares
    among the rest. `accounts` limits the reads to those accounts (a book of a few).
    """
    wanted = [n for n in names if is_signal(n)]
    if not wanted:
        return
    day = day or utcnow().date()
    account_ids = book["account_id"]
    if any(n in NEED_FIELDS for n in wanted):
        counts = read_frame(
            session, only(_need_counts(), AccountNeed.account_id, accounts),
            ["account_id", *NEED_FIELDS],
        )  # fmt: skip
        for name in NEED_FIELDS:
            if name in wanted:
                book[name] = _merged(book, name, counts, account_ids)
    if any(n in SUBSCRIPTION_FIELDS for n in wanted):
        active = read_frame(
            session, only(_subscriptions(day), Subscription.account_id, accounts),
            ["account_id", *SUBSCRIPTION_FIELDS],
        )  # fmt: skip
        for name in SUBSCRIPTION_FIELDS:
            if name in wanted:
                book[name] = _merged(book, name, active, account_ids)
    for name in wanted:
        if name.startswith(NEED_PREFIX):
            holders = session.scalars(
                only(
                    _need_holders(name.removeprefix(NEED_PREFIX)), AccountNeed.account_id, accounts
                )
            ).all()
            book[name] = account_ids.isin(holders).to_numpy()
        elif name.startswith(USAGE_PREFIX):
            usage = _latest_usage(name.removeprefix(USAGE_PREFIX), accounts)
            latest = read_frame(session, usage, ["account_id", "value"])
            book[name] = _aligned(latest, "value", account_ids)


def only(stmt: Select, account_id, accounts: Sequence[int] | None) -> Select:
    """Return `stmt` limited to the given accounts (all of them when None)."""
    return stmt if accounts is None else stmt.where(account_id.in_(list(accounts)))


def _merged(
    book: pd.DataFrame, name: str, records: pd.DataFrame, account_ids: pd.Series
) -> np.ndarray:
    """Return the records' values where an account has records, else its attribute value."""
    fallback = (
        book[name].to_numpy(dtype=float, copy=True) if name in book else np.full(len(book), np.nan)
    )
    return overlay(fallback, account_ids, records["account_id"], records[name])


def _aligned(records: pd.DataFrame, column: str, account_ids: pd.Series) -> np.ndarray:
    """Return a records column aligned on account_ids, NaN where an account has none."""
    missing = np.full(len(account_ids), np.nan)
    return overlay(missing, account_ids, records["account_id"], records[column])


def _need_counts() -> Select:
    validated = func.sum(case((AccountNeed.validated.is_(True), 1), else_=0))
    return select(AccountNeed.account_id, validated, func.count()).group_by(AccountNeed.account_id)


def _need_holders(code: str) -> Select:
    return (
        select(AccountNeed.account_id)
        .distinct()
        .where(AccountNeed.code == code, AccountNeed.validated.is_(True))
    )  # fmt: skip


def _subscriptions(day: date) -> Select:
    return (
        select(
            Subscription.account_id,
            func.count(distinct(Subscription.product)),
            func.sum(Subscription.quantity),
        )
        .where(active_on(day))
        .group_by(Subscription.account_id)
    )


def _latest_usage(metric: str, accounts: Sequence[int] | None) -> Select:
    latest = only(
        select(UsageMetric.account_id, func.max(UsageMetric.period_start).label("period_start"))
        .where(UsageMetric.metric == metric)
        .group_by(UsageMetric.account_id),
        UsageMetric.account_id,
        accounts,
    ).subquery()
    return select(UsageMetric.account_id, UsageMetric.value).join(
        latest,
        and_(
            UsageMetric.account_id == latest.c.account_id,
            UsageMetric.period_start == latest.c.period_start,
            UsageMetric.metric == metric,
        ),
    )
