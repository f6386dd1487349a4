"""Current ARR: twelve times the MRR of the subscriptions running today, per account.

An account with subscriptions but none running has current ARR 0; only an account with no
subscription at all keeps the ARR field it was imported or edited with (docs/metrics.md).
"""

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import pandas as pd
from sqlalchemy import BigInteger, Select, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from cstier.models import Account, Subscription
from cstier.models.base import utcnow
from cstier.store.bulk_reads import overlay, read_frame

MONTHS_PER_YEAR = 12


def active_on(day: date):
    """Return the condition a subscription meets while it runs on `day`.

    It has started (start_date ≤ day) and not ended (no end_date, or end_date > day: the
    end date is the first day it no longer runs). With no status column, a cancelled
    subscription is one whose end date has come.
    """
    return and_(
        Subscription.start_date <= day,
        or_(Subscription.end_date.is_(None), Subscription.end_date > day),
    )


def active_arr_query(day: date) -> Select:
    """Select account_id, arr_cents and running subscriptions of each account with subscriptions.

    An account whose subscriptions all ended (or have not started) comes back with 0.
    """
    running = active_on(day)
    return select(
        Subscription.account_id,
        (
            cast(func.sum(case((running, Subscription.mrr_cents), else_=0)), BigInteger)
            * MONTHS_PER_YEAR
        ).label("arr_cents"),
        cast(func.sum(case((running, 1), else_=0)), BigInteger).label("subscriptions"),
    ).group_by(Subscription.account_id)


def current_arr_cents(day: date | None = None):
    """Return the SQL expression of an account's current ARR in cents, and the join it needs.

    For queries that sum ARR in the database: LEFT JOIN the returned subquery on
    `subquery.c.account_id == Account.id` and use the expression in place of Account.arr_cents.
    """
    active = active_arr_query(day or utcnow().date()).subquery("active_arr")
    return func.coalesce(active.c.arr_cents, Account.arr_cents), active


def active_subscription_arr(
    session: Session, day: date | None = None, accounts: Sequence[int] | None = None
) -> pd.DataFrame:
    """Return account_id, arr_cents, running subscriptions of every account with a subscription.

    Of every account, or of `accounts` when given.
    """
    stmt = active_arr_query(day or utcnow().date())
    if accounts is not None:
        stmt = stmt.where(Subscription.account_id.in_(list(accounts)))
    return read_frame(session, stmt, ["account_id", "arr_cents", "subscriptions"])


def current_arr(
    session: Session,
    account_ids: pd.Series,
    field_arr: pd.Series,
    day: date | None = None,
    accounts: Sequence[int] | None = None,
) -> pd.Series:
    """Return the book's current ARR in currency units, aligned with `account_ids`.

    One GROUP BY query reads the running subscriptions' sums; accounts without any
    subscription keep `field_arr` (their ARR field). With no subscription in the book,
    `field_arr` comes back as it is, at the cost of that one query. `accounts` limits the
    query to those.
    """
    active = active_subscription_arr(session, day, accounts)
    if active.empty:
        return field_arr
    values = overlay(
        field_arr.to_numpy(dtype=float, copy=True),
        account_ids,
        active["account_id"],
        active["arr_cents"] / 100.0,
    )
    return pd.Series(values, index=field_arr.index, name=field_arr.name)


class AccountArr(NamedTuple):
    """One account's current ARR, how many running subscriptions make it, and whether it has any."""

    arr_cents: int
    running: int
    from_subscriptions: bool


def account_current_arr(session: Session, account: Account, day: date | None = None) -> AccountArr:
    """Return one account's current ARR in cents and how many running subscriptions make it."""
    stmt = active_arr_query(day or utcnow().date()).where(Subscription.account_id == account.id)
    row = session.execute(stmt).first()
    if row is None:
        return AccountArr(account.arr_cents, 0, False)
    return AccountArr(int(row.arr_cents), int(row.subscriptions), True)


def with_current_arr(
    session: Session, accounts: list[Account], day: date | None = None
) -> list[Account]:
    """Set `current_arr_cents` on each listed account (one query for the list) and return them."""
    ids = [account.id for account in accounts]
    if not ids:
        return accounts
    stmt = active_arr_query(day or utcnow().date()).where(Subscription.account_id.in_(ids))
    found = {row.account_id: int(row.arr_cents) for row in session.execute(stmt)}
    for account in accounts:
        account.current_arr_cents = found.get(account.id, account.arr_cents)
    return accounts
