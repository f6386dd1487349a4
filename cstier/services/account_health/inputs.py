"""Read every scorecard input for the book as it stood on a day, one column per input."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.engagement import engagement_from_latest
from cstier.domain.health.scorecard import ONBOARDING_POINTS
from cstier.domain.onboarding.status import onboarding_status
from cstier.models import Account, AccountCoverage, CoverageModel
from cstier.services.engagement import read_cadences, read_latest_touches
from cstier.services.onboarding.steps import as_of, read_steps
from cstier.store.column_reads import read_columns
from cstier.store.column_text import JsonFields, as_categories
from cstier.store.integer_reads import read_integers
from cstier.store.metric_reads import day_number
from cstier.store.range_reads import AccountRange
from cstier.store.usage_latest import read_latest_usage

# Day numbers count from here (store/metric_reads.py's day_number).
EPOCH_DAY = date(1970, 1, 1)
# Read for an account without a coverage model: ids start at 1.
NO_MODEL = -1
USAGE_LOOKBACK_DAYS = 190  # the latest period and up to three before it, monthly or weekly
TREND_PERIODS = 3


def read_book(
    session: Session, attribute_keys: list[str], accounts: AccountRange | None = None
) -> pd.DataFrame:
    """Return each account's coverage model (id and key), renewal day number and named attributes.

    The accounts and their coverage are read apart, each as narrow columns, and matched here:
    joining them in SQL made the database build every joined row of the book again.
    """
    stmt = select(Account.id, day_number(session, Account.renewal_date))
    models = select(
        AccountCoverage.account_id, func.coalesce(AccountCoverage.coverage_model_id, NO_MODEL)
    )
    if accounts is not None:
        stmt = stmt.where(Account.id.between(*accounts))
        models = models.where(AccountCoverage.account_id.between(*accounts))
    fields = JsonFields(Account.attributes, {f"attr.{k}": k for k in attribute_keys})
    kinds = {"account_id": "int", "renewal_day": "number"}
    kinds |= {f"attr.{k}": "number" for k in attribute_keys}
    book = read_columns(
        session, stmt, ["account_id", "renewal_day"], kinds, fields if attribute_keys else None
    ).set_index("account_id")
    covered = read_integers(session, models, ["account_id", "coverage_model_id"])
    model = pd.Series(covered["coverage_model_id"], index=covered["account_id"], dtype="float64")
    model = model.where(model != NO_MODEL).reindex(book.index)
    keys = dict(session.execute(select(CoverageModel.id, CoverageModel.key)).all())
    book.insert(0, "model_key", as_categories(model.map(keys).astype(object)))
    book.insert(0, "coverage_model_id", model)
    return book


def usage_inputs(
    session: Session, metric: str, day: date, index: pd.Index, accounts: AccountRange | None = None
) -> pd.DataFrame:
    """Return the metric's latest value before the day and its trend in % over the periods before.

    The database returns one row per account (the latest value and the mean of up to
    TREND_PERIODS before it), not every figure.
    """
    since = day - timedelta(days=USAGE_LOOKBACK_DAYS)
    rows = read_latest_usage(session, metric, day, since, TREND_PERIODS, accounts)
    rows = rows.set_index("account_id")
    latest, earlier = rows["latest"], rows["earlier"]
    with np.errstate(divide="ignore", invalid="ignore"):
        trend = (latest / earlier - 1) * 100
    trend = trend.where(np.isfinite(trend))
    return pd.DataFrame(
        {f"usage.{metric}": latest.reindex(index), f"usage.{metric}.trend": trend.reindex(index)},
        index=index,
    ).astype("float64")


def onboarding_points(
    session: Session, day: date, accounts: AccountRange | None = None
) -> pd.Series:
    """Return each onboarding's status on the day as points, indexed by account id (of the
    accounts in the range when given)."""
    steps = as_of(read_steps(session, accounts=accounts), day)
    if steps.empty:
        return pd.Series(dtype="float64")
    status = onboarding_status(steps, day)["status"]
    return status.map(ONBOARDING_POINTS).astype("float64")


def onboarding_input(session: Session, day: date, index: pd.Index) -> pd.Series:
    """Return each onboarding's status on the day as points; missing without an onboarding."""
    return onboarding_points(session, day).reindex(index)


@dataclass(frozen=True)
class DayInputs:
    """The inputs a day's pass reads once for the whole book: few rows, every range needs them."""

    day: date
    needed: frozenset[str]
    cadences: pd.DataFrame


def read_day_inputs(session: Session, day: date, needed: set[str]) -> DayInputs:
    """Read the cadence rules the scorecards need on the day."""
    engagement = bool(needed & {"days_since_touch", "cadence_kept"})
    return DayInputs(
        day, frozenset(needed), read_cadences(session) if engagement else pd.DataFrame()
    )


def read_range_inputs(
    session: Session, shared: DayInputs, accounts: AccountRange | None
) -> pd.DataFrame:
    """Return the inputs of the accounts in the range (all when None) at the start of the day."""
    day, needed = shared.day, shared.needed
    attributes = sorted(n.removeprefix("attr.") for n in needed if n.startswith("attr."))
    book = read_book(session, attributes, accounts)
    inputs = book[[f"attr.{k}" for k in attributes]].astype("float64").copy()
    metrics = {n.split(".")[1] for n in needed if n.startswith("usage.")}
    for metric in sorted(metrics):
        inputs = inputs.join(usage_inputs(session, metric, day, book.index, accounts))
    if "onboarding" in needed:
        inputs["onboarding"] = onboarding_points(session, day, accounts).reindex(book.index)
    if needed & {"days_since_touch", "cadence_kept"}:
        cadences = shared.cadences
        kinds = sorted(set(cadences["touch_kind"].dropna()))
        latest = read_latest_touches(session, day, kinds, accounts)
        engagement = engagement_from_latest(book, latest, cadences, day)
        inputs = inputs.join(engagement)
    if "renewal_days" in needed:
        inputs["renewal_days"] = book["renewal_day"] - (day - EPOCH_DAY).days
    return inputs.join(book[["coverage_model_id", "model_key"]])


def read_inputs(session: Session, day: date, needed: set[str]) -> pd.DataFrame:
    """Return the inputs the scorecards need for the whole book, as at the start of the day."""
    return read_range_inputs(session, read_day_inputs(session, day, needed), None)
