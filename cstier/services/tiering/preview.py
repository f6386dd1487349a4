"""What-if: evaluate a draft scheme against the book without writing anything."""

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.coverage import coverage_for_tiers
from cstier.domain.permissions import Actor, can_manage_book
from cstier.domain.tiering import movement_matrix
from cstier.models.base import utcnow
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.capacity import headcount_now_and_for_tiers
from cstier.services.coverage.derive import stored_coverage
from cstier.services.coverage.tiers import current_tiers
from cstier.services.errors import Forbidden
from cstier.services.tiering.run import Progress, no_progress, propose
from cstier.services.tiering.schemes import get_scheme, validate
from cstier.services.tiering.snapshot import read_snapshot

# Reading, evaluating, coverage and headcount, then storing the result (preview_store).
PREVIEW_STEPS = 4


@dataclass
class Preview:
    """How many accounts and how much ARR would move between tiers."""

    accounts_evaluated: int
    accounts_moving: int
    arr_moving: float
    matrix: pd.DataFrame  # from_tier, to_tier, accounts, arr
    tiers: tuple[str, ...]
    headcount: pd.DataFrame | None = None  # per coverage model: required now vs after, gap
    # account_id, from_tier, to_tier, arr: every moving account, largest ARR first.
    moving: pd.DataFrame | None = None
    # from_model, to_model, accounts, need_new_owner: the coverage each move would change.
    coverage_moves: pd.DataFrame | None = None


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


def _coverage_moves(session: Session, dimension: str, result: pd.DataFrame) -> pd.DataFrame | None:
    """Return how many accounts would change coverage model, and how many of them are owned."""
    if dimension not in ("value", "needs"):
        return None
    tiers = current_tiers(session).set_index("account_id")
    proposed = result.set_index("account_id")["tier"].reindex(tiers.index)
    column = f"{dimension}_tier"
    tiers[column] = proposed.astype(object).to_numpy()
    after = coverage_for_tiers(
        tiers["value_tier"], tiers["needs_tier"], coverage_reads.matrix_frame(session)
    )
    stored = stored_coverage(session)
    before = stored.coverage["coverage_model_id"].reindex(after.index)
    moves = pd.DataFrame({"from": before, "to": after})
    moves = moves[moves["from"].fillna(-1) != moves["to"].fillna(-1)]
    moves["owned"] = stored.owned(moves.index)
    names = coverage_reads.models_frame(session).set_index("coverage_model_id")["name"]
    grouped = (
        moves.assign(
            from_model=moves["from"].map(names).fillna("(none)"),
            to_model=moves["to"].map(names).fillna("(none)"),
        )
        .groupby(["from_model", "to_model"], as_index=False)
        .agg(accounts=("owned", "size"), need_new_owner=("owned", "sum"))
    )
    return grouped.sort_values("accounts", ascending=False, kind="stable")


def preview_scheme(
    session: Session,
    actor: Actor,
    scheme_id: int,
    definition: dict,
    progress: Progress = no_progress,
) -> Preview:
    """Return what a draft definition would move (managers and admins); nothing is saved.

    Raise ValidationFailed if the definition is invalid. Progress counts PREVIEW_STEPS.
    """
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins preview tier schemes.")
    scheme = get_scheme(session, scheme_id)
    parsed = validate(session, definition)
    now = utcnow()
    progress(0, PREVIEW_STEPS, "Reading the book.")
    snapshot = read_snapshot(
        session, {scheme.id: parsed}, now, committed=False, for_write=False, extra_fields={"arr"}
    )
    book = snapshot.accounts
    current, overrides = snapshot.take(scheme.id)
    progress(1, PREVIEW_STEPS, f"Evaluating the draft over {len(book):,} accounts.")
    outcome = propose(
        scheme,
        parsed,
        scheme.current_version + 1,
        book,
        current,
        overrides,
        snapshot.churned,
        now,
    )
    arr = book.set_index("account_id")["arr"]
    full = outcome.result[["account_id", "tier"]].rename(columns={"tier": "to_tier"})
    before = outcome.current.set_index("account_id")["tier"] if not outcome.current.empty else None
    full["from_tier"] = (
        before.reindex(full["account_id"]).to_numpy() if before is not None else None
    )
    matrix = movement_matrix(full, arr, tier_order=parsed.tiers)
    moving = outcome.changes
    progress(2, PREVIEW_STEPS, "Working out coverage and headcount.")
    headcount = _headcount(session, scheme.dimension, outcome.result)
    coverage_moves = _coverage_moves(session, scheme.dimension, outcome.result)
    moving_accounts = moving[["account_id", "from_tier", "to_tier"]].assign(
        arr=arr.reindex(moving["account_id"]).to_numpy()
    )
    moving_accounts = moving_accounts.sort_values(
        ["arr", "account_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    session.rollback()  # nothing of a preview is kept
    return Preview(
        accounts_evaluated=len(book),
        accounts_moving=len(moving),
        arr_moving=float(arr.reindex(moving["account_id"]).fillna(0).sum()),
        matrix=matrix,
        tiers=parsed.tiers,
        headcount=headcount,
        moving=moving_accounts,
        coverage_moves=coverage_moves,
    )
