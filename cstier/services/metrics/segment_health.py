"""The segment health page: a period's figures per segment, the 12-month trend, each headline."""

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.metrics import FIGURES, InvalidPeriod, Period
from cstier.domain.metrics.periods import last_full_month, trailing_months
from cstier.domain.metrics.report import trend_chart
from cstier.domain.metrics.retention import MEMBERS, members
from cstier.domain.permissions import Actor, can_manage_book, sees_whole_book
from cstier.models import Account, SegmentHeadline, TierScheme
from cstier.models.base import utcnow
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.metrics.churn import (
    FiguresNotStored,
    churn,
    period_report,
    stored_splits,
    trend,
    trend_report,
)
from cstier.services.metrics.compute import visible_book
from cstier.services.metrics.splits import (
    TOTAL,
    Split,
    resolve_split,
    segments_for,
    split_choices,
)
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import among, read_frame
from cstier.store.metric_pages import period_totals, segment_page, segment_rows

HEADLINES = {"grr": "GRR", "logo_churn": "Logo churn", "nrr": "NRR"}
MEMBERS_SHOWN = 500
TREND_MONTHS = 12
SEGMENTS_PER_PAGE = 50


@dataclass
class SegmentHealth:
    """What the page shows: the period's report, the trend, headlines and the choices."""

    by: str
    splits: dict[str, str]  # key → label, the total first
    start: date
    end: date
    report: dict
    series: dict
    headlines: dict[str, str]
    can_choose_headline: bool
    chart: dict
    computed_at: datetime | None
    page_no: int = 1
    pages: int = 1
    segment_count: int = 0
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
    page_no: int = 1,
) -> SegmentHealth:
    """Return the page's figures for a split (default: value tiers) and period (default: last month).

    The segments come SEGMENTS_PER_PAGE at a time (largest start MRR first); the total is the
    whole split's, and when the split runs to several pages the trend shows the page's segments.
    """
    today = today or utcnow().date()
    period = _period(start, end, today)
    split = resolve_split(session, by or default_split(session))
    key = split.key
    try:
        found = _from_store(session, actor, period, today, split, page_no)
        if found is None:
            found = _page_of(
                churn(session, actor, period.start, period.end, key),
                trend(session, actor, today, TREND_MONTHS, key),
                page_no,
            )
    except FiguresNotStored as exc:
        return SegmentHealth(
            by=key,
            splits=split_choices(session),
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
    report, series, count, page_no = found
    names = [s["segment"] for s in report["segments"]]
    return SegmentHealth(
        by=key,
        splits=split_choices(session),
        start=period.start,
        end=period.end,
        report=report,
        series=series,
        headlines=headlines(session, key, names),
        can_choose_headline=can_manage_book(actor),
        chart=trend_chart(series),
        computed_at=_when(report["computed_at"]),
        page_no=page_no,
        pages=_pages(count),
        segment_count=count,
    )


def _pages(count: int) -> int:
    return max(1, -(-count // SEGMENTS_PER_PAGE))


def _page_start(page_no: int, count: int) -> tuple[int, int]:
    """Return the page shown (a stale link past the end shows the last) and its first segment."""
    page_no = min(max(page_no, 1), _pages(count))
    return page_no, (page_no - 1) * SEGMENTS_PER_PAGE


def _page_of(report: dict, series: dict, page_no: int) -> tuple[dict, dict, int, int]:
    """Cut a report computed whole down to one page of segments, as the store reads it."""
    count = len(report["segments"])
    page_no, first = _page_start(page_no, count)
    shown = report["segments"][first : first + SEGMENTS_PER_PAGE]
    if count <= SEGMENTS_PER_PAGE:
        return report, series, count, page_no
    names = {s["segment"] for s in shown}
    periods = [
        {**p, "segments": [s for s in p["segments"] if s["segment"] in names]}
        for p in series["periods"]
    ]
    return {**report, "segments": shown}, {**series, "periods": periods}, count, page_no


def _from_store(
    session: Session, actor: Actor, period: Period, today: date, split: Split, page_no: int
) -> tuple[dict, dict, int, int] | None:
    """Return a page of the period's report, the trend and the segment count from the store,
    reading only the rows shown; None if not every period is stored."""
    if not sees_whole_book(actor) or split.key not in stored_splits(session):
        return None
    months = trailing_months(today, TREND_MONTHS)
    periods = list(dict.fromkeys([period, *months]))
    totals = period_totals(session, split.key, sorted({p.start for p in periods}))
    held = {
        Period(start, end): row
        for start, end, row in zip(
            totals["period_start"], totals["period_end"], totals.to_dict("records"), strict=True
        )
    }
    if any(p not in held for p in periods):
        return None
    count = held[period]["segments"]
    page_no, first = _page_start(page_no, count)
    rows = segment_page(session, split.key, period.start, period.end, SEGMENTS_PER_PAGE, first)
    shown = None if count <= SEGMENTS_PER_PAGE else rows["segment"].tolist()
    trend_rows = segment_rows(session, split.key, [(m.start, m.end) for m in months], shown)
    report = period_report(split, period, rows, _oldest(held, [period]), _total(held[period]))
    series = trend_report(
        split,
        months,
        trend_rows,
        _oldest(held, months),
        {m: _total(held[m]) for m in months},
    )
    return report, series, count, page_no


def _total(row: dict) -> dict:
    return {"segment": "Total", **{f: row[f] for f in FIGURES}}


def _oldest(held: dict, periods: list[Period]) -> datetime:
    """Return when the oldest stored row of the periods was computed."""
    return min(held[p]["computed_at"] for p in periods).to_pydatetime()


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
