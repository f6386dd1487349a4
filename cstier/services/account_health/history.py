"""An account's health as its page shows it: the latest score, why, what changed, the trend."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.health.scorecard import parse_scorecard
from cstier.domain.permissions import Actor
from cstier.models import HealthScore, Scorecard
from cstier.models.base import utcnow
from cstier.services.account_health.overrides import live_overrides
from cstier.services.accounts import get_account

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
    trend: list[tuple[date, float | None, str]]
    overrides: list


def _parts(score: HealthScore) -> dict:
    raw = score.contributions
    return raw if isinstance(raw, dict) else json.loads(raw)


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
    now_parts, then_parts = _parts(latest), _parts(before) if before else {}
    lines = []
    for m in definition.measures if definition else []:
        contribution = now_parts.get(f"{m.key}.contribution")
        lines.append(
            MeasureLine(
                m.key,
                m.label,
                now_parts.get(f"{m.key}.input"),
                now_parts.get(f"{m.key}.points"),
                now_parts.get(f"{m.key}.share") or 0.0,
                contribution or 0.0,
                then_parts.get(f"{m.key}.contribution") if before else None,
            )
        )
    return AccountHealth(
        latest,
        card.name if card else "(deleted scorecard)",
        definition.min_coverage if definition else 0.0,
        lines,
        before,
        [(h.scored_on, h.score, h.band) for h in reversed(history)],
        live_overrides(session, account_id, today),
    )
