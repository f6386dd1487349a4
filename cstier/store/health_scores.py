"""Health scores in bulk: one day's scores for the book replaced at once, the bands before a day."""

from datetime import date, datetime

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cstier.models import HealthScore
from cstier.store.bulk_reads import read_frame
from cstier.store.bulk_writes import BulkWriter

COLUMNS = (
    "account_id", "scorecard_id", "scored_on", "score", "coverage", "computed_band", "band",
    "contributions", "computed_at",
)  # fmt: skip


def write_health_scores(
    session: Session, scored_on: date, scores: pd.DataFrame, now: datetime
) -> int:
    """Replace the day's scores with these rows (contributions as JSON text); return how many."""
    session.execute(delete(HealthScore).where(HealthScore.scored_on == scored_on))
    writer = BulkWriter(session, now, as_text=True)
    # SQLite keeps dates as ISO text; PostgreSQL's COPY takes the date itself.
    day = scored_on if writer.postgres else scored_on.isoformat()
    score = scores["score"].astype(object).where(scores["score"].notna(), None)
    rows = list(
        zip(
            scores["account_id"].astype(int).tolist(),
            scores["scorecard_id"].astype(int).tolist(),
            [day] * len(scores),
            score.tolist(),
            scores["coverage"].astype(float).tolist(),
            scores["computed_band"].tolist(),
            scores["band"].tolist(),
            scores["contributions"].tolist(),
            [writer.stamp] * len(scores),
            strict=True,
        )
    )
    writer.insert("health_score", COLUMNS, rows)
    return len(rows)


def latest_day_before(session: Session, day: date) -> date | None:
    """Return the last scoring day before the day, if any."""
    return session.scalar(
        select(func.max(HealthScore.scored_on)).where(HealthScore.scored_on < day)
    )


def bands_on(session: Session, day: date | None) -> pd.Series:
    """Return each account's computed band on a scoring day, indexed by account id."""
    if day is None:
        return pd.Series(dtype=object)
    stmt = select(HealthScore.account_id, HealthScore.computed_band).where(
        HealthScore.scored_on == day
    )
    frame = read_frame(session, stmt, ["account_id", "band"])
    return pd.Series(frame["band"].to_numpy(), index=frame["account_id"].to_numpy(), dtype=object)
