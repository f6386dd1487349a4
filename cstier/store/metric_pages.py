"""Stored retention figures a page at a time: one period's segments in the report's order, and the
totals of every period summed in SQL, so a split of thousands of segments reads only the rows shown.
"""

from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from cstier.domain.metrics import FIGURES
from cstier.models import MetricResult
from cstier.store.bulk_reads import read_frame

NONE_SEGMENT = "(none)"
ROW_COLUMNS = ["period_start", "period_end", "segment", *FIGURES]
TOTAL_COLUMNS = ["period_start", "period_end", "segments", *FIGURES, "computed_at"]


def _in_code_point_order(session: Session, column) -> ColumnElement:
    """Return the column compared byte by byte, as Python sorts strings (the reports' order)."""
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column  # SQLite compares text with BINARY unless told otherwise


def period_totals(session: Session, split: str, starts: list[date]) -> pd.DataFrame:
    """Return per stored period starting on one of `starts`: its segment count, summed figures
    and when its oldest row was computed."""
    stmt = (
        select(
            MetricResult.period_start,
            MetricResult.period_end,
            func.count(),
            *(func.sum(getattr(MetricResult, f)) for f in FIGURES),
            func.min(MetricResult.computed_at),
        )
        .where(MetricResult.split == split, MetricResult.period_start.in_(starts))
        .group_by(MetricResult.period_start, MetricResult.period_end)
    )
    frame = read_frame(session, stmt, TOTAL_COLUMNS)
    for name in ["segments", *FIGURES]:
        frame[name] = frame[name].map(int)  # PostgreSQL sums BIGINT as NUMERIC
    return _typed(frame)


def segment_page(
    session: Session, split: str, start: date, end: date, limit: int, offset: int
) -> pd.DataFrame:
    """Return a page of one period's segments: largest start MRR first, "(none)" last, by name."""
    stmt = (
        select(*(getattr(MetricResult, c) for c in ROW_COLUMNS))
        .where(
            MetricResult.split == split,
            MetricResult.period_start == start,
            MetricResult.period_end == end,
        )
        .order_by(
            case((MetricResult.segment == NONE_SEGMENT, 1), else_=0),
            MetricResult.mrr_start_cents.desc(),
            _in_code_point_order(session, MetricResult.segment),
        )
        .limit(limit)
        .offset(offset)
    )
    return _typed(read_frame(session, stmt, ROW_COLUMNS))


def segment_rows(
    session: Session, split: str, periods: list[tuple[date, date]], segments: list[str] | None
) -> pd.DataFrame:
    """Return the stored rows of the periods, of the named segments only unless None."""
    stmt = select(*(getattr(MetricResult, c) for c in ROW_COLUMNS)).where(
        MetricResult.split == split,
        MetricResult.period_start.in_(sorted({start for start, _ in periods})),
    )
    if segments is not None:
        stmt = stmt.where(MetricResult.segment.in_(segments))
    rows = _typed(read_frame(session, stmt, ROW_COLUMNS))
    held = pd.Series(list(zip(rows["period_start"], rows["period_end"], strict=True)), dtype=object)
    return rows[held.isin(periods).to_numpy()].reset_index(drop=True)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with its days as dates and computed_at as UTC times (SQLite sends text)."""
    for name in ("period_start", "period_end"):
        frame[name] = frame[name].map(_as_date)
    if "computed_at" in frame:
        frame["computed_at"] = pd.to_datetime(frame["computed_at"], utc=True)
    return frame


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
