"""Churned accounts today: they had subscriptions and none runs, or, with none, their stage says so."""

from datetime import date

import numpy as np
from sqlalchemy import ColumnElement, case, delete, exists, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from cstier.models import Account, ChurnedAccount, Subscription
from cstier.services.tiering.current_arr import active_on

CHURNED_STAGE = "churned"
ID_CHUNK = 10_000  # ids per statement: under SQLite's bound-parameter limit


def churned_accounts_query(today: date):
    """Select account_id and since (its last end date) of every account churned on `today`."""
    started = func.sum(case((Subscription.start_date <= today, 1), else_=0))
    running = func.sum(case((active_on(today), 1), else_=0))
    lapsed = (
        select(Subscription.account_id, func.max(Subscription.end_date))
        .where(Subscription.end_date.is_(None) | (Subscription.end_date > Subscription.start_date))
        .group_by(Subscription.account_id)
        .having((started > 0) & (running == 0))
    )
    by_stage = select(Account.id, literal(None).label("since")).where(
        Account.lifecycle_stage == CHURNED_STAGE,
        ~exists().where(Subscription.account_id == Account.id),
    )
    return union_all(lapsed, by_stage)


def refresh_churned(session: Session, today: date) -> int:
    """Store the accounts churned on `today` (in the caller's transaction); return how many.

    Only the difference is written: any write, even of no row, marks the owners' stored
    totals stale, and a nightly refresh that churns nobody must leave them served.
    """
    fresh = dict(session.execute(churned_accounts_query(today)).all())
    stored = dict(session.execute(select(ChurnedAccount.account_id, ChurnedAccount.since)).all())
    gone = [a for a, since in stored.items() if a not in fresh or fresh[a] != since]
    new = [
        {"account_id": a, "since": since}
        for a, since in fresh.items()
        if a not in stored or stored[a] != since
    ]
    for start in range(0, len(gone), ID_CHUNK):
        ids = gone[start : start + ID_CHUNK]
        session.execute(delete(ChurnedAccount).where(ChurnedAccount.account_id.in_(ids)))
    for start in range(0, len(new), ID_CHUNK):
        session.execute(insert(ChurnedAccount), new[start : start + ID_CHUNK])
    return len(fresh)


def still_customer(account_id) -> ColumnElement[bool]:
    """Return the condition an account (id column) is not stored as churned."""
    return ~exists().where(ChurnedAccount.account_id == account_id)


def churned_account_ids(session: Session) -> np.ndarray:
    """Return the ids of the accounts stored as churned, sorted."""
    ids = session.scalars(select(ChurnedAccount.account_id).order_by(ChurnedAccount.account_id))
    return np.fromiter(ids, dtype=np.int64)


def churned_since(session: Session, account_id: int) -> ChurnedAccount | None:
    """Return the account's churned record (with the day it ended), or None while a customer."""
    return session.get(ChurnedAccount, account_id)


def churned_among(session: Session, account_ids: list[int]) -> set[int]:
    """Return which of the listed accounts are stored as churned."""
    if not account_ids:
        return set()
    stmt = select(ChurnedAccount.account_id).where(ChurnedAccount.account_id.in_(account_ids))
    return set(session.scalars(stmt))
