"""Current ARR: twelve times the MRR of the subscriptions running today, per account.

An account without an active subscription keeps the ARR field it was imported or edited with.
"""

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import BigInteger, Select, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from cstier.models import Account, Subscription
from cstier.models.base import utcnow
from cstier.store.bulk_reads import overlay, read_frame

MONTHS_PER_YEAR = 12


def active_on(day: date):
    """Return the condition a subscription meets while it runs on `day`.

    It has started (start_date ≤ day) and not ended (no end_date, or end_date ≥ day: the
    end date is its last paid day). With no status column, a cancelled subscription is
    one whose end date has passed.
    """
    return and_(
        Subscription.start_date <= day,
        or_(Subscription.end_date.is_(None), Subscription.end_date >= day),
    )


def active_arr_query(day: date) -> Select:
    """Select account_id, arr_cents and subscriptions for each account with one running on `day`."""
    return (
        select(
            Subscription.account_id,
            (cast(func.sum(Subscription.mrr_cents), BigInteger) * MONTHS_PER_YEAR).label(
                "arr_cents"
            ),
            func.count().label("subscriptions"),
        )
        .where(active_on(day))
        .group_by(Subscription.account_id)
    )


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
    """Return account_id, arr_cents, subscriptions of each account with an active subscription.

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

    One GROUP BY query reads the active subscriptions' sums; accounts without one keep
    `field_arr` (their ARR field). With no active subscription at all, `field_arr` comes
    back as it is, at the cost of that one query. `accounts` limits the query to those.
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


def account_current_arr(
    session: Session, account: Account, day: date | None = None
) -> tuple[int, int]:
    """Return one account's current ARR in cents and how many active subscriptions make it."""
    stmt = active_arr_query(day or utcnow().date()).where(Subscription.account_id == account.id)
    row = session.execute(stmt).first()
    if row is None:
        return account.arr_cents, 0
    return int(row.arr_cents), int(row.subscriptions)
