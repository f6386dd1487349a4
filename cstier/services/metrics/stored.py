"""Stored retention figures: the standard monthly periods per stored split, with when computed."""

from datetime import date, datetime

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cstier.domain.metrics import FIGURES, Period
from cstier.models import MetricResult
from cstier.store.bulk_reads import read_frame

COLUMNS = ["period_start", "period_end", "segment", *FIGURES, "computed_at"]


def stored_figures(session: Session, split: str, periods: list[Period]) -> pd.DataFrame | None:
    """Return the stored figures of every period for the split, or None if any period is missing."""
    starts = [p.start for p in periods]
    stmt = select(*(getattr(MetricResult, c) for c in COLUMNS)).where(
        MetricResult.split == split, MetricResult.period_start.in_(starts)
    )
    frame = read_frame(session, stmt, COLUMNS)
    if frame.empty:
        return None
    frame["period_start"] = frame["period_start"].map(_as_date)
    frame["period_end"] = frame["period_end"].map(_as_date)
    frame["computed_at"] = pd.to_datetime(frame["computed_at"], utc=True)
    held = set(zip(frame["period_start"], frame["period_end"], strict=True))
    if any((p.start, p.end) not in held for p in periods):
        return None
    return frame


def last_computed(session: Session) -> datetime | None:
    """Return when the stored figures were last computed."""
    return session.scalar(
        select(MetricResult.computed_at).order_by(MetricResult.id.desc()).limit(1)
    )


def replace_stored(session: Session, split: str, figures: pd.DataFrame, now: datetime) -> int:
    """Replace the split's stored rows with `figures` (in the caller's transaction)."""
    session.execute(delete(MetricResult).where(MetricResult.split == split))
    rows = figures.assign(split=split, computed_at=now).to_dict("records")
    for row in rows:
        for name in FIGURES:
            row[name] = int(row[name])
    if rows:
        session.execute(insert(MetricResult), rows)
    return len(rows)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
