"""Churn and retention use cases: one period split by a field, the monthly trend, the refresh."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.metrics import InvalidPeriod, Period, churn_report
from cstier.domain.metrics.periods import trailing_months
from cstier.domain.permissions import SYSTEM_ACTOR, Actor, sees_whole_book
from cstier.models import TierScheme
from cstier.models.base import utcnow
from cstier.services.errors import ValidationFailed
from cstier.services.metrics.churned import refresh_churned
from cstier.services.metrics.compute import compute_figures, split_figures, visible_book
from cstier.services.metrics.splits import TOTAL, Split, resolve_split
from cstier.services.metrics.stored import replace_stored, stored_figures
from cstier.services.unit_of_work import unit_of_work

STANDARD_MONTHS = 24
MAX_TREND_PERIODS = 120


@dataclass
class RefreshSummary:
    """What a refresh stored: rows per split, churned accounts, when."""

    computed_at: datetime
    rows: dict[str, int]
    churned_accounts: int


def stored_splits(session: Session) -> list[str]:
    """Return the splits whose monthly figures are stored: total, each tier scheme, model, CSM."""
    schemes = session.scalars(
        select(TierScheme.key).where(TierScheme.active.is_(True)).order_by(TierScheme.key)
    ).all()
    return [TOTAL, *schemes, "coverage_model", "csm"]


def _figures(
    session: Session, actor: Actor, periods: list[Period], split: Split
) -> tuple[pd.DataFrame, datetime | None]:
    """Return the figures from the store when they are all there, else computed now."""
    if sees_whole_book(actor) and split.key in stored_splits(session):
        stored = stored_figures(session, split.key, periods)
        if stored is not None:
            return stored.drop(columns="computed_at"), stored["computed_at"].min().to_pydatetime()
    return compute_figures(session, actor, periods, split), None


def _envelope(split: Split, computed_at: datetime | None) -> dict:
    return {
        "by": None if split.key == TOTAL else split.key,
        "basis": split.basis,
        "computed_at": computed_at.isoformat() if computed_at else None,
    }


def churn(session: Session, actor: Actor, start: date, end: date, by: str | None = None) -> dict:
    """Return one period's figures, total and per segment, in the shape of the API."""
    try:
        period = Period(start, end)
    except InvalidPeriod as exc:
        raise ValidationFailed(str(exc), {"end": ["must be after start"]}) from exc
    split = resolve_split(session, by)
    figures, computed_at = _figures(session, actor, [period], split)
    return period_report(split, period, figures, computed_at)


def period_report(
    split: Split,
    period: Period,
    figures: pd.DataFrame,
    computed_at: datetime | None,
    total: Mapping | None = None,
) -> dict:
    """Return one period's figures, total and per segment, in the shape of the API.

    `total` gives the total's figures when `figures` holds a page of the segments.
    """
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        **_envelope(split, computed_at),
        **churn_report(figures, total),
    }


def trend(
    session: Session,
    actor: Actor,
    today: date | None = None,
    periods: int = 12,
    by: str | None = None,
) -> dict:
    """Return the monthly figures of the `periods` full months before `today`, oldest first."""
    today = today or utcnow().date()
    if not 1 <= periods <= MAX_TREND_PERIODS:
        raise ValidationFailed(
            f"periods: ask for 1 to {MAX_TREND_PERIODS} months, not {periods}",
            {"periods": [f"between 1 and {MAX_TREND_PERIODS}"]},
        )
    months = trailing_months(today, periods)
    split = resolve_split(session, by)
    figures, computed_at = _figures(session, actor, months, split)
    return trend_report(split, months, figures, computed_at)


def trend_report(
    split: Split,
    months: list[Period],
    figures: pd.DataFrame,
    computed_at: datetime | None,
    totals: Mapping[Period, Mapping] | None = None,
) -> dict:
    """Return the months' figures as a series, oldest first, in the shape of the API.

    `totals` gives each month's total when `figures` holds some of the segments only.
    """
    series = []
    for month in months:
        rows = figures[figures["period_start"] == month.start]
        total = None if totals is None else totals[month]
        series.append(
            {
                "start": month.start.isoformat(),
                "end": month.end.isoformat(),
                **churn_report(rows, total),
            }
        )
    return {**_envelope(split, computed_at), "periods": series}


def refresh_metrics(session: Session, now: datetime | None = None) -> RefreshSummary:
    """Compute and store the standard monthly figures of every stored split and the churned accounts."""
    now = now or utcnow()
    months = trailing_months(now.date(), STANDARD_MONTHS)
    rows = {}
    with unit_of_work(session):
        book = visible_book(session, SYSTEM_ACTOR)
        for key in stored_splits(session):
            figures = split_figures(session, book, months, resolve_split(session, key))
            rows[key] = replace_stored(session, key, figures, now)
        churned = refresh_churned(session, now.date())
    return RefreshSummary(now, rows, churned)
