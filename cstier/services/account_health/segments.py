"""Health per segment: the band distribution today and the back-test of each scorecard."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.health.backtest import (
    MIN_PERIODS,
    BacktestRow,
    backtest,
    churn_outcomes,
    periods_of,
)
from cstier.domain.permissions import Actor
from cstier.models import Account, HealthScore, Scorecard
from cstier.models.base import utcnow
from cstier.services.book_segments import account_segments, with_segment
from cstier.services.metrics.compute import visible_book
from cstier.store.bulk_reads import read_frame


def _scoped(stmt, actor: Actor, account_id):
    if actor.role == "csm":
        return stmt.join(Account, Account.id == account_id).where(Account.csm_id == actor.user_id)
    return stmt


def health_distribution(
    session: Session, actor: Actor, by: str
) -> tuple[date | None, pd.DataFrame]:
    """Return the latest scoring day and the accounts per band for each segment, total first."""
    day = session.scalar(select(func.max(HealthScore.scored_on)))
    if day is None:
        return None, pd.DataFrame()
    stmt = _scoped(
        select(HealthScore.band, func.count()).where(HealthScore.scored_on == day),
        actor,
        HealthScore.account_id,
    )
    stmt = with_segment(session, stmt, by, HealthScore.account_id)
    # count per segment and band in the database: the book's scores never come into Python
    stmt = stmt.group_by(HealthScore.band, list(stmt.selected_columns)[-1])
    counts = read_frame(session, stmt, ["band", "accounts", "segment"])
    counts["segment"] = counts["segment"].astype(object).fillna("(none)")
    table = counts.pivot_table(
        index="segment", columns="band", values="accounts", aggfunc="sum", fill_value=0
    ).astype("int64")
    total = pd.DataFrame([table.sum()], index=["All accounts"])
    columns = [b for b in ("red", "yellow", "green", "insufficient") if b in table.columns]
    return day, pd.concat([total, table])[columns]


@dataclass(frozen=True)
class ScorecardBacktest:
    """One scorecard's back-test: periods with a known outcome and the rows, or not enough."""

    scorecard: str
    periods: int
    rows: list[BacktestRow]

    @property
    def enough(self) -> bool:
        """Tell whether there is enough history to show numbers."""
        return self.periods >= MIN_PERIODS


def health_backtest(
    session: Session, actor: Actor, by: str, today: date | None = None
) -> list[ScorecardBacktest]:
    """Return, per scorecard, churn by band in the following month and the AUC, per segment."""
    today = today or utcnow().date()
    stmt = _scoped(
        select(
            HealthScore.account_id,
            HealthScore.scorecard_id,
            HealthScore.scored_on,
            HealthScore.score,
            HealthScore.computed_band,
        ),
        actor,
        HealthScore.account_id,
    )
    scores = read_frame(session, stmt, ["account_id", "scorecard_id", "scored_on", "score", "band"])
    scores["score"] = pd.to_numeric(scores["score"]).astype("float64")
    scores["account_id"] = scores["account_id"].astype("int64")
    book = visible_book(session, actor)
    segments = account_segments(session, by)
    result = []
    for card in session.scalars(select(Scorecard).order_by(Scorecard.id)):
        mine = scores[scores["scorecard_id"] == card.id]
        outcomes = churn_outcomes(mine, book, today)
        periods = periods_of(outcomes)
        rows = []
        if periods >= MIN_PERIODS:
            outcomes = outcomes.assign(segment=outcomes["account_id"].map(segments))
            rows = backtest(outcomes, "segment")
        result.append(ScorecardBacktest(card.name, periods, rows))
    return result
