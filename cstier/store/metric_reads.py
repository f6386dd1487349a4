"""Bulk reads for the retention engine: subscriptions and segment histories as day and second numbers."""

import sqlite3

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from cstier.domain.metrics.book import OPEN_END
from cstier.models import Account, AssignmentChange, CoverageChange, Subscription, TierChange
from cstier.store.column_reads import read_columns
from cstier.store.integer_reads import read_integers

SUBSCRIPTION_COLUMNS = ["account_id", "start_day", "end_day", "mrr_cents"]
HISTORY_KINDS = {"id": "int", "account_id": "int", "at_seconds": "int", "label": "text"}
# SQLite's julianday of 1970-01-01, so a date becomes days since then.
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def day_number(session: Session, column) -> ColumnElement:
    """Return the SQL expression of a date column as days since 1970-01-01."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column - literal("1970-01-01").cast(column.type), Integer)
    return cast(func.julianday(column) - UNIX_EPOCH_JULIAN_DAY, Integer)


def epoch_seconds(session: Session, column) -> ColumnElement:
    """Return the SQL expression of a UTC timestamp column as seconds since 1970."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", column), BigInteger)
    if sqlite3.sqlite_version_info >= (3, 38):
        return func.unixepoch(column)  # a quarter of strftime's time over a book's history
    return cast(func.strftime("%s", column), BigInteger)


def subscriptions_query(session: Session) -> Select:
    """Select account_id, start_day, end_day (OPEN_END while running) and mrr_cents."""
    return select(
        Subscription.account_id,
        day_number(session, Subscription.start_date),
        func.coalesce(day_number(session, Subscription.end_date), OPEN_END),
        Subscription.mrr_cents,
    )


def read_subscription_days(session: Session, accounts: Select | None = None) -> pd.DataFrame:
    """Read every subscription (or those of `accounts`, a select of ids) as day numbers, in no order."""
    stmt = subscriptions_query(session)
    if accounts is not None:
        stmt = stmt.where(Subscription.account_id.in_(accounts))
    return pd.DataFrame(read_integers(session, stmt, SUBSCRIPTION_COLUMNS, key=Subscription.id))


def _history(session: Session, stmt: Select) -> pd.DataFrame:
    return read_columns(session, stmt, list(HISTORY_KINDS), HISTORY_KINDS)


def read_tier_history(session: Session, scheme_id: int) -> pd.DataFrame:
    """Read a scheme's tier changes: id, account_id, at_seconds, label (the tier taken, categorical).

    A scheme has a handful of tiers: each change's tier is read as its number among them,
    which spares reading and matching a million texts.
    """
    # Through the (scheme, at) index SQLite visits the changes in time order, three times
    # slower than reading the id range in order: `+ 0` keeps the filter off the index.
    of_scheme = TierChange.scheme_id + 0 == scheme_id
    tiers = list(session.scalars(select(TierChange.to_tier).where(of_scheme).distinct()))
    number = case({tier: n for n, tier in enumerate(tiers)}, value=TierChange.to_tier, else_=-1)
    stmt = select(
        TierChange.id, TierChange.account_id, epoch_seconds(session, TierChange.at), number
    ).where(of_scheme)
    if not tiers:
        stmt = stmt.with_only_columns(TierChange.id, TierChange.account_id, literal(0), literal(0))
    changes = read_integers(session, stmt, ["id", "account_id", "at_seconds", "label"])
    codes = changes.pop("label")
    frame = pd.DataFrame(changes)
    frame["label"] = pd.Categorical.from_codes(codes.astype(np.int32), categories=tiers)
    return frame.sort_values("id", kind="stable", ignore_index=True)


def read_coverage_history(session: Session) -> pd.DataFrame:
    """Read coverage model changes: id, account_id, at_seconds, label (the model id as text)."""
    stmt = select(
        CoverageChange.id,
        CoverageChange.account_id,
        epoch_seconds(session, CoverageChange.at),
        func.coalesce(cast(CoverageChange.to_model_id, String()), ""),
    )
    return _history(session, stmt)


def read_owner_history(session: Session) -> pd.DataFrame:
    """Read owner changes: id, account_id, at_seconds, label (the CSM's user id as text)."""
    stmt = select(
        AssignmentChange.id,
        AssignmentChange.account_id,
        epoch_seconds(session, AssignmentChange.at),
        func.coalesce(cast(AssignmentChange.to_csm_id, String()), ""),
    )
    return _history(session, stmt)


def read_account_field(session: Session, field: ColumnElement, join=None) -> pd.DataFrame:
    """Read one current field of every account: account_id, label (text)."""
    stmt = select(Account.id, cast(field, String()))
    if join is not None:
        stmt = stmt.join(*join)
    kinds = {"account_id": "int", "label": "text"}
    return read_columns(session, stmt, list(kinds), kinds)
