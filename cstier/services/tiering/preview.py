"""What-if: evaluate a draft scheme against the book without writing anything."""

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.tiering import movement_matrix
from cstier.models.base import utcnow
from cstier.services.coverage.capacity import headcount_now_and_for_tiers
from cstier.services.tiering.run import propose
from cstier.services.tiering.schemes import get_scheme, validate
from cstier.services.tiering.snapshot import read_snapshot


@dataclass
class Preview:
    """How many accounts and how much ARR would move between tiers."""

    accounts_evaluated: int
    accounts_moving: int
    arr_moving: float
    matrix: pd.DataFrame  # from_tier, to_tier, accounts, arr
    tiers: tuple[str, ...]
    headcount: pd.DataFrame | None = None  # per coverage model: required now vs after, gap


def _headcount(session: Session, dimension: str, result: pd.DataFrame) -> pd.DataFrame | None:
    """Return the CSM headcount per coverage model today and if the draft were applied."""
    if dimension not in ("value", "needs"):
        return None
    proposed = result.set_index("account_id")["tier"]
    empty = pd.Series(dtype=object)
    value, needs = (proposed, empty) if dimension == "value" else (empty, proposed)
    before, after = headcount_now_and_for_tiers(session, value, needs)
    merged = after.merge(
        before[["coverage_model_id", "required"]].rename(columns={"required": "required_now"}),
        on="coverage_model_id",
        how="outer",
    )
    merged["required_now"] = merged["required_now"].fillna(0)
    merged["required"] = merged["required"].fillna(0)
    return merged


def preview_scheme(session: Session, scheme_id: int, definition: dict) -> Preview:
    """Return the from→to movement a draft definition would cause; raise ValidationFailed if invalid."""
    scheme = get_scheme(session, scheme_id)
    parsed = validate(session, definition)
    now = utcnow()
    snapshot = read_snapshot(
        session, {scheme.id: parsed}, now, committed=False, for_write=False, extra_fields={"arr"}
    )
    book = snapshot.accounts
    current, overrides = snapshot.take(scheme.id)
    outcome = propose(scheme, parsed, scheme.current_version + 1, book, current, overrides, now)
    arr = book.set_index("account_id")["arr"]
    full = outcome.result[["account_id", "tier"]].rename(columns={"tier": "to_tier"})
    before = outcome.current.set_index("account_id")["tier"] if not outcome.current.empty else None
    full["from_tier"] = (
        before.reindex(full["account_id"]).to_numpy() if before is not None else None
    )
    matrix = movement_matrix(full, arr, tier_order=parsed.tiers)
    moving = outcome.changes
    headcount = _headcount(session, scheme.dimension, outcome.result)
    session.rollback()  # nothing of a preview is kept
    return Preview(
        accounts_evaluated=len(book),
        accounts_moving=len(moving),
        arr_moving=float(arr.reindex(moving["account_id"]).fillna(0).sum()),
        matrix=matrix,
        tiers=parsed.tiers,
        headcount=headcount,
    )
