"""Read every scorecard input for the book as it stood on a day, one column per input."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.engagement import engagement_from_latest
from cstier.domain.health.scorecard import ONBOARDING_POINTS
from cstier.domain.onboarding.status import onboarding_status
from cstier.models import Account, AccountCoverage, CoverageModel
from cstier.services.engagement import read_cadences, read_latest_touches
from cstier.services.onboarding.steps import as_of, read_steps
from cstier.services.tiering.fields import read_chunked
from cstier.store.bulk_reads import read_frame
from cstier.store.column_reads import JsonFields
from cstier.store.usage_latest import latest_usage

USAGE_LOOKBACK_DAYS = 190  # the latest period and up to three before it, monthly or weekly
TREND_PERIODS = 3


def read_book(session: Session, attribute_keys: list[str]) -> pd.DataFrame:
    """Return every account's coverage model (id and key), renewal date and named attributes."""
    stmt = (
        select(
            Account.id,
            AccountCoverage.coverage_model_id,
            CoverageModel.key,
            Account.renewal_date,
        )
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .outerjoin(CoverageModel, AccountCoverage.coverage_model_id == CoverageModel.id)
    )
    fields = JsonFields(Account.attributes, {f"attr.{k}": k for k in attribute_keys})
    catalog = {"coverage_model_id": "number", "model_key": "text", "renewal_date": "date"}
    catalog |= {f"attr.{k}": "number" for k in attribute_keys}
    book = read_chunked(
        session,
        stmt,
        ["account_id", "coverage_model_id", "model_key", "renewal_date"],
        catalog,
        fields if attribute_keys else None,
    )
    return book.set_index("account_id")


def usage_inputs(session: Session, metric: str, day: date, index: pd.Index) -> pd.DataFrame:
    """Return the metric's latest value before the day and its trend in % over the periods before.

    The database returns one row per account (the latest value and the mean of up to
    TREND_PERIODS before it), not every figure.
    """
    since = day - timedelta(days=USAGE_LOOKBACK_DAYS)
    stmt = latest_usage(session, metric, day, since, TREND_PERIODS)
    rows = read_frame(session, stmt, ["account_id", "latest", "earlier"])
    rows = rows.set_index("account_id")
    latest = pd.to_numeric(rows["latest"]).astype("float64")
    earlier = pd.to_numeric(rows["earlier"]).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        trend = (latest / earlier - 1) * 100
    trend = trend.where(np.isfinite(trend))
    return pd.DataFrame(
        {f"usage.{metric}": latest.reindex(index), f"usage.{metric}.trend": trend.reindex(index)},
        index=index,
    ).astype("float64")


def onboarding_input(session: Session, day: date, index: pd.Index) -> pd.Series:
    """Return each onboarding's status on the day as points; missing without an onboarding."""
    steps = as_of(read_steps(session), day)
    if steps.empty:
        return pd.Series(np.nan, index=index)
    status = onboarding_status(steps, day)["status"]
    return status.map(ONBOARDING_POINTS).astype("float64").reindex(index)


def read_inputs(session: Session, day: date, needed: set[str]) -> pd.DataFrame:
    """Return the inputs the scorecards need, as they stood at the start of the day."""
    attributes = sorted(n.removeprefix("attr.") for n in needed if n.startswith("attr."))
    book = read_book(session, attributes)
    inputs = book[[f"attr.{k}" for k in attributes]].astype("float64").copy()
    metrics = {n.split(".")[1] for n in needed if n.startswith("usage.")}
    for metric in sorted(metrics):
        inputs = inputs.join(usage_inputs(session, metric, day, book.index))
    if "onboarding" in needed:
        inputs["onboarding"] = onboarding_input(session, day, book.index)
    if needed & {"days_since_touch", "cadence_kept"}:
        cadences = read_cadences(session)
        kinds = sorted(set(cadences["touch_kind"].dropna()))
        latest = read_latest_touches(session, day, kinds)
        engagement = engagement_from_latest(book, latest, cadences, day)
        inputs = inputs.join(engagement)
    if "renewal_days" in needed:
        renewal = pd.to_datetime(book["renewal_date"])
        inputs["renewal_days"] = (renewal - pd.Timestamp(day)).dt.days.astype("float64")
    return inputs.join(book[["coverage_model_id", "model_key"]])
