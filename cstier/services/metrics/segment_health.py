"""The segment health page: a period's figures per segment, the 12-month trend, each headline."""

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.metrics import InvalidPeriod, Period
from cstier.domain.metrics.periods import last_full_month, trailing_months
from cstier.domain.metrics.report import trend_chart
from cstier.domain.metrics.retention import MEMBERS, members
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Account, SegmentHeadline, TierScheme
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.metrics.churn import (
    FiguresNotStored,
    churn,
    period_report,
    stored_periods,
    trend,
    trend_report,
)
from cstier.services.metrics.compute import visible_book
from cstier.services.metrics.splits import (
    TOTAL,
    Split,
    resolve_split,
    segments_for,
    valid_splits,
)
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import among, read_frame

HEADLINES = {"grr": "GRR", "logo_churn": "Logo churn", "nrr": "NRR"}
MEMBERS_SHOWN = 500
TREND_MONTHS = 12


@dataclass
class SegmentHealth:
    """What the page shows: the period's report, the trend, headlines and the choices."""

    by: str
    splits: list[str]
    start: date
    end: date
    report: dict
    series: dict
    headlines: dict[str, str]
    can_choose_headline: bool
    chart: dict
    computed_at: datetime | None
    not_stored: str | None = None  # why there are no figures to show (the book is too big)


def _period(start: date | None, end: date | None, today: date) -> Period:
    if start is None and end is None:
        return last_full_month(today)
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise ValidationFailed(
            f"{missing}: give both start and end, or neither", {missing: ["required"]}
        )
    try:
        return Period(start, end)
    except InvalidPeriod as exc:
        raise ValidationFailed(str(exc), {"end": ["must be after start"]}) from exc


def default_split(session: Session) -> str:
    """Return the value tier scheme's key (the split a CS leader reads first), else the total."""
    key = session.scalar(
        select(TierScheme.key)
        .where(TierScheme.dimension == "value", TierScheme.active.is_(True))
        .order_by(TierScheme.id)
    )
    return key or TOTAL


def _top_tier(session: Session, by: str) -> str | None:
    scheme = session.scalar(select(TierScheme).where(TierScheme.key == by))
    if scheme is None or scheme.dimension != "value":
        return None
    bands = scheme.current.definition.get("bands") or [{}]
    return bands[0].get("tier")


def headlines(session: Session, by: str, segments: list[str]) -> dict[str, str]:
    """Return each segment's headline metric: its choice, else GRR for the top value tier, else logo churn."""
    chosen = dict(
        session.execute(
            select(SegmentHeadline.segment, SegmentHeadline.metric).where(
                SegmentHeadline.split == by
            )
        ).all()
    )
    top = _top_tier(session, by)
    return {
        name: chosen.get(name, "grr" if name == top else "logo_churn")
        for name in [*segments, "Total"]
    }


def segment_health(
    session: Session,
    actor: Actor,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> SegmentHealth:
    """Return the page's figures for a split (default: value tiers) and period (default: last month)."""
    today = today or utcnow().date()
    period = _period(start, end, today)
    split = resolve_split(session, by or default_split(session))
    key = split.key
    try:
        report, series = _from_store(session, actor, period, today, split) or (
            churn(session, actor, period.start, period.end, key),
            trend(session, actor, today, TREND_MONTHS, key),
        )
    except FiguresNotStored as exc:
        return SegmentHealth(
            by=key,
            splits=[TOTAL, *valid_splits(session)],
            start=period.start,
            end=period.end,
            report={},
            series={},
            headlines={},
            can_choose_headline=can_manage_book(actor),
            chart={},
            computed_at=None,
            not_stored=str(exc),
        )
    names = [s["segment"] for s in report["segments"]]
    return SegmentHealth(
        by=key,
        splits=[TOTAL, *valid_splits(session)],
        start=period.start,
        end=period.end,
        report=report,
        series=series,
        headlines=headlines(session, key, names),
        can_choose_headline=can_manage_book(actor),
        chart=trend_chart(series),
        computed_at=_when(report["computed_at"]),
    )


def _from_store(
    session: Session, actor: Actor, period: Period, today: date, split: Split
) -> tuple[dict, dict] | None:
    """Return the period's report and the trend from one read of the store, None if not all stored."""
    months = trailing_months(today, TREND_MONTHS)
    stored = stored_periods(session, actor, list(dict.fromkeys([period, *months])), split)
    if stored is None:
        return None
    report = period_report(split, period, *_cut(stored, [period]))
    series = trend_report(split, months, *_cut(stored, months))
    return report, series


def _cut(stored: pd.DataFrame, periods: list[Period]) -> tuple[pd.DataFrame, datetime]:
    """Return the rows of the periods (without computed_at) and when the oldest was computed."""
    held = pd.Series(list(zip(stored["period_start"], stored["period_end"], strict=True)))
    rows = stored[held.isin([(p.start, p.end) for p in periods]).to_numpy()]
    return rows.drop(columns="computed_at"), rows["computed_at"].min().to_pydatetime()


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def set_headline(session: Session, actor: Actor, by: str, segment: str, metric: str) -> None:
    """Store the metric a segment reads first (managers only)."""
    if not can_manage_book(actor):
        raise Forbidden("Only admins and managers choose a segment's headline metric.")
    if metric not in HEADLINES:
        raise ValidationFailed(
            f"metric: choose one of {', '.join(HEADLINES)}", {"metric": ["unknown metric"]}
        )
    split = resolve_split(session, by).key
    segment = segment.strip()
    if not segment or len(segment) > 200:
        raise ValidationFailed(
            "segment: name a segment (at most 200 characters)", {"segment": ["required"]}
        )
    with unit_of_work(session):
        row = session.scalar(
            select(SegmentHeadline).where(
                SegmentHeadline.split == split, SegmentHeadline.segment == segment
            )
        )
        if row is None:
            session.add(SegmentHeadline(split=split, segment=segment, metric=metric))
        else:
            row.metric = metric


@dataclass
class PeriodMembers:
    """The accounts behind one figure: how many, and the first MEMBERS_SHOWN with names."""

    measure: str
    segment: str | None
    total: int
    accounts: list[dict]


def period_members(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    by: str | None,
    segment: str | None,
    measure: str,
) -> PeriodMembers:
    """Return the accounts counted in one figure of one segment (largest start MRR first)."""
    if measure not in MEMBERS:
        raise ValidationFailed(
            f"measure: choose one of {', '.join(MEMBERS)}", {"measure": ["unknown measure"]}
        )
    period = _period(start, end, utcnow().date())
    split = resolve_split(session, by)
    book = visible_book(session, actor)
    found = members(book, period, segments_for(session, split, book), measure, segment)
    found = found.sort_values(["mrr_start_cents", "mrr_end_cents"], ascending=False)
    shown = found.head(MEMBERS_SHOWN)
    names = read_frame(
        session,
        select(Account.id, Account.name, Account.external_id).where(
            among(session, Account.id, shown["account_id"].to_numpy())
        ),
        ["account_id", "name", "external_id"],
    )
    rows = shown.merge(names, on="account_id", how="left")
    return PeriodMembers(measure, segment, len(found), _records(rows))


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (int(v) if k.endswith("_cents") or k == "account_id" else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]
