"""Churn and retention use cases: one period split by a field, the monthly trend, the refresh."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.metrics import InvalidPeriod, Period, churn_report
from cstier.domain.metrics.periods import trailing_months
from cstier.domain.permissions import SYSTEM_ACTOR, Actor, sees_whole_book
from cstier.models import Subscription, TierScheme
from cstier.models.base import utcnow
from cstier.services.errors import Conflict, ValidationFailed
from cstier.services.metrics.churned import refresh_churned
from cstier.services.metrics.compute import compute_figures, split_figures, visible_book
from cstier.services.metrics.splits import TOTAL, Split, resolve_split
from cstier.services.metrics.stored import replace_stored, stored_figures
from cstier.services.unit_of_work import unit_of_work

STANDARD_MONTHS = 24
MAX_TREND_PERIODS = 120
# Past this many subscriptions a whole-book view reads stored figures only: computing them
# means reading the whole book, which is the refresh job's work, not a request's.
LIVE_SUBSCRIPTIONS = 20_000


class FiguresNotStored(Conflict):
    """A whole-book view asked for figures that are not stored, of a book too big to compute now."""


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
    session: Session, actor: Actor, periods: list[Period], split: Split, batch: bool = False
) -> tuple[pd.DataFrame, datetime | None]:
    """Return the figures from the store when they are all there, else computed now.

    FiguresNotStored when a whole-book viewer asks for figures not stored of a large book,
    unless batch (the command line), which may read the whole book.
    """
    if sees_whole_book(actor) and split.key in stored_splits(session):
        stored = stored_figures(session, split.key, periods)
        if stored is not None:
            return stored.drop(columns="computed_at"), stored["computed_at"].min().to_pydatetime()
    if not batch and sees_whole_book(actor) and not small_book(session):
        raise FiguresNotStored(
            f"The retention figures by {split.key} for {_months(periods)} are not stored, and "
            f"the book ({LIVE_SUBSCRIPTIONS:,}+ subscriptions) is too large to compute them while "
            "you wait. The metrics job stores every calendar month of the last "
            f"{STANDARD_MONTHS} by total, tier scheme, coverage model and CSM: refresh them "
            "(Refresh now on the segment health page, `cstier metrics refresh` or "
            "POST /api/v1/metrics/refresh), or choose calendar months."
        )
    return compute_figures(session, actor, periods, split), None


def small_book(session: Session) -> bool:
    """Whether the book has at most LIVE_SUBSCRIPTIONS subscriptions (counting no further)."""
    first = select(Subscription.id).limit(LIVE_SUBSCRIPTIONS + 1).subquery()
    return (session.scalar(select(func.count()).select_from(first)) or 0) <= LIVE_SUBSCRIPTIONS


def _months(periods: list[Period]) -> str:
    if len(periods) == 1:
        return f"{periods[0].start.isoformat()} – {periods[0].end.isoformat()}"
    return f"{len(periods)} periods from {periods[0].start.isoformat()}"


def _envelope(split: Split, computed_at: datetime | None) -> dict:
    return {
        "by": None if split.key == TOTAL else split.key,
        "basis": split.basis,
        "computed_at": computed_at.isoformat() if computed_at else None,
    }


def churn(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    by: str | None = None,
    batch: bool = False,
) -> dict:
    """Return one period's figures, total and per segment, in the shape of the API.

    Requests (batch False) get stored figures only for a large book: see _figures.
    """
    try:
        period = Period(start, end)
    except InvalidPeriod as exc:
        raise ValidationFailed(str(exc), {"end": ["must be after start"]}) from exc
    split = resolve_split(session, by)
    figures, computed_at = _figures(session, actor, [period], split, batch)
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
    batch: bool = False,
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
    figures, computed_at = _figures(session, actor, months, split, batch)
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
