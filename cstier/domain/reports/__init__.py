"""Reports built from tier history: the weekly tier review and the direction of a move."""

from cstier.domain.reports.net_moves import WeekMoves, week_moves
from cstier.domain.reports.tier_review import (
    RANKED_DIMENSIONS,
    SchemeMovement,
    SchemeTiers,
    TierReview,
    build_tier_review,
    direction,
    review_from_moves,
    review_from_stored,
    summary_lines,
)
from cstier.domain.reports.weeks import (
    InvalidDate,
    InvalidWeek,
    last_full_week,
    parse_since,
    parse_week,
    week_bounds,
    week_label,
)

__all__ = [
    "RANKED_DIMENSIONS",
    "InvalidDate",
    "InvalidWeek",
    "SchemeMovement",
    "SchemeTiers",
    "TierReview",
    "WeekMoves",
    "build_tier_review",
    "direction",
    "review_from_moves",
    "review_from_stored",
    "summary_lines",
    "last_full_week",
    "parse_since",
    "parse_week",
    "week_bounds",
    "week_label",
    "week_moves",
]
