"""The weekly report's metrics section, read from what is stored: retention, onboarding, health."""

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.metrics.periods import last_full_month
from cstier.domain.reports.weekly_content import NOT_COMPUTED, with_previous
from cstier.domain.reports.weekly_metrics import (
    TOTAL,
    band_figures,
    onboarding_figures,
    ordered_segments,
    retention_figures,
)
from cstier.models import AccountOnboarding, HealthScore, TierScheme
from cstier.services.book_segments import account_segments
from cstier.services.metrics.splits import TOTAL as TOTAL_SPLIT
from cstier.services.metrics.stored import stored_figures
from cstier.store.bulk_reads import read_frame

COMPUTED = "computed"


def metrics_section(
    session: Session,
    value_id: int | None,
    tiers: tuple[str, ...],
    end_day: date,
    last_day: date,
    previous: dict | None,
) -> dict:
    """Return the section: the month before end_day's retention, onboarding now, health by last_day."""
    month = last_full_month(end_day)
    retention = _retention(session, value_id, month)
    segments_of = account_segments(session, "value_tier")
    onboardings = _with_segment(
        read_frame(
            session,
            select(AccountOnboarding.account_id, AccountOnboarding.status),
            ["account_id", "status"],
        ),
        segments_of,
    )
    bands, scored_on = _bands(session, last_day)
    bands = _with_segment(bands, segments_of)
    segments = ordered_segments(list(tiers), retention, onboardings, bands)
    figures = retention_figures(retention, segments) if not retention.empty else []
    if not onboardings.empty:
        figures += onboarding_figures(onboardings, segments)
    if not bands.empty:
        figures += band_figures(bands, segments)
    return {
        "status": NOT_COMPUTED if retention.empty else COMPUTED,
        "month": month.label,
        "health_scored_on": scored_on.isoformat() if scored_on else None,
        "figures": with_previous(figures, (previous or {}).get("figures")),
    }


def _retention(session: Session, value_id: int | None, month) -> pd.DataFrame:
    """Return the month's stored figures per value tier and the total; empty if never computed."""
    frames = []
    key = session.scalar(select(TierScheme.key).where(TierScheme.id == value_id))
    for split in [key, TOTAL_SPLIT] if key else [TOTAL_SPLIT]:
        stored = stored_figures(session, split, [month])
        if stored is not None:
            frames.append(stored.assign(segment=TOTAL) if split == TOTAL_SPLIT else stored)
    return pd.concat(frames) if frames else pd.DataFrame()


def _bands(session: Session, last_day: date) -> tuple[pd.DataFrame, date | None]:
    """Return each account's band from its latest score on or before last_day, and that last day."""
    latest = (
        select(HealthScore.account_id, func.max(HealthScore.scored_on).label("day"))
        .where(HealthScore.scored_on <= last_day)
        .group_by(HealthScore.account_id)
        .subquery()
    )
    stmt = select(HealthScore.account_id, HealthScore.band, HealthScore.scored_on).join(
        latest,
        (HealthScore.account_id == latest.c.account_id) & (HealthScore.scored_on == latest.c.day),
    )
    frame = read_frame(session, stmt, ["account_id", "band", "scored_on"])
    if frame.empty:
        return pd.DataFrame(), None
    day = max(frame["scored_on"])
    return frame, day if isinstance(day, date) else date.fromisoformat(str(day)[:10])


def _with_segment(frame: pd.DataFrame, segments_of: pd.Series) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.assign(
        segment=frame["account_id"].map(segments_of).astype(object).fillna("(none)")
    )
