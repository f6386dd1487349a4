"""An account's health as its page shows it: the latest score, why, what changed, the trend."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.health.scorecard import parse_scorecard
from cstier.domain.permissions import Actor
from cstier.models import HealthScore, HealthScoring, Scorecard
from cstier.models.base import utcnow
from cstier.services.account_health.overrides import live_overrides
from cstier.services.accounts import get_account
from cstier.store.health_scores import unpack_measures

TREND_POINTS = 26


@dataclass(frozen=True)
class MeasureLine:
    """One measure of a stored score, and its contribution a week before."""

    key: str
    label: str
    input: float | None
    points: float | None
    weight_share: float
    contribution: float
    contribution_before: float | None

    @property
    def change(self) -> float | None:
        """Return how much the contribution moved since the earlier score."""
        if self.contribution_before is None:
            return None
        return self.contribution - self.contribution_before


@dataclass(frozen=True)
class AccountHealth:
    """The latest score with its measures, the score a week before, the trend and any override."""

    score: HealthScore
    scorecard_name: str
    min_coverage: float
    measures: list[MeasureLine]
    before: HealthScore | None
    trend: list[tuple[str, float | None, str]]  # ISO day, score, band
    overrides: list


def _layout(session: Session, score: HealthScore) -> list[dict]:
    """Return the measures (key, label) a stored score's values follow."""
    return (
        session.scalar(
            select(HealthScoring.measures).where(
                HealthScoring.scored_on == score.scored_on,
                HealthScoring.scorecard_id == score.scorecard_id,
            )
        )
        or []
    )


def _values(session: Session, score: HealthScore) -> dict[str, tuple]:
    """Return {measure key: (label, input, points, share, contribution)} of a stored score."""
    layout = _layout(session, score)
    if not layout:
        return {}
    rows = unpack_measures(score.measures, len(layout))
    return {
        m["key"]: (m["label"], *[None if math.isnan(v) else float(v) for v in row])
        for m, row in zip(layout, rows, strict=True)
    }


def account_health(
    session: Session, actor: Actor, account_id: int, today: date | None = None
) -> AccountHealth | None:
    """Return the account's latest health, compared with its score a week or more before."""
    today = today or utcnow().date()
    get_account(session, actor, account_id)
    history = list(
        session.scalars(
            select(HealthScore)
            .where(HealthScore.account_id == account_id)
            .order_by(HealthScore.scored_on.desc())
            .limit(TREND_POINTS)
        )
    )
    if not history:
        return None
    latest = history[0]
    week_ago = latest.scored_on - timedelta(days=7)
    before = next((h for h in history if h.scored_on <= week_ago), None)
    card = session.get(Scorecard, latest.scorecard_id)
    definition = parse_scorecard(card.definition) if card else None
    now_values = _values(session, latest)
    then_values = _values(session, before) if before else {}
    lines = []
    for key, (label, value, points, share, contribution) in now_values.items():
        earlier = then_values.get(key)
        lines.append(
            MeasureLine(
                key,
                label,
                value,
                points,
                share or 0.0,
                contribution or 0.0,
                (earlier[4] or 0.0) if earlier else None,
            )
        )
    return AccountHealth(
        latest,
        card.name if card else "(deleted scorecard)",
        definition.min_coverage if definition else 0.0,
        lines,
        before,
        [(h.scored_on.isoformat(), h.score, h.band) for h in reversed(history)],
        live_overrides(session, account_id, today),
    )
