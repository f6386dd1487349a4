"""What-if: evaluate a draft scheme against the book without writing anything."""

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.coverage import coverage_for_tiers, current_headcount
from cstier.domain.coverage.headcount import headcount_for_models
from cstier.domain.permissions import Actor, can_manage_book
from cstier.domain.tiering import movement_matrix
from cstier.models.base import utcnow
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.derive import StoredCoverage
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.errors import Forbidden
from cstier.services.tiering.fields import FIELD_ARR_CENTS
from cstier.services.tiering.run import Progress, no_progress, propose
from cstier.services.tiering.schemes import get_scheme, validate
from cstier.services.tiering.snapshot import BookSnapshot, read_snapshot
from cstier.store.tier_blocks import read_current_tiers

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


def _coverage_effect(
    session: Session, dimension: str, snapshot: BookSnapshot, result: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the headcount per coverage model now and after, and the coverage changes.

    Everything comes from the run's snapshot (ARR field, stored coverage and owners, churned
    accounts) plus the other dimension's packed tiers: the book is not read again.
    """
    book = snapshot.accounts
    customers = ~book["account_id"].isin(snapshot.churned)  # churned accounts leave coverage
    index = pd.Index(book.loc[customers, "account_id"].to_numpy(), name="account_id")
    arr_cents = pd.Series(book.loc[customers, FIELD_ARR_CENTS].to_numpy(), index=index)
    schemes = {d: active_scheme_id(session, d) for d in ("value", "needs")}
    stored_tiers = read_current_tiers(session, [i for i in schemes.values() if i is not None])
    now = {
        d: (
            stored_tiers[i].set_index("account_id")["tier"].astype(object).reindex(index)
            if i is not None
            else pd.Series(None, index=index, dtype=object)
        )
        for d, i in schemes.items()
    }
    proposed = result.set_index("account_id")["tier"].astype(object).reindex(index)
    after = {**now, dimension: proposed.combine_first(now[dimension])}
    matrix = coverage_reads.matrix_frame(session)
    models = coverage_reads.models_frame(session)
    models_now = coverage_for_tiers(now["value"], now["needs"], matrix)
    # Only the accounts whose tier would change can change model: look only those up again.
    changed = after[dimension].fillna("\0").ne(now[dimension].fillna("\0")).to_numpy()
    models_after = models_now.copy()
    if changed.any():
        models_after[changed] = coverage_for_tiers(
            after["value"][changed], after["needs"][changed], matrix
        ).to_numpy()
    stored = snapshot.coverage
    owned = stored.owned_by_csm[stored.owned_by_csm.index.isin(index)]
    owned_book = owned.assign(
        coverage_model_id=stored.coverage["coverage_model_id"].reindex(owned.index)
    ).reset_index()
    current = current_headcount(owned_book, coverage_reads.csms_frame(session), models)
    before = headcount_for_models(models_now, arr_cents, models, current)
    headcount = headcount_for_models(models_after, arr_cents, models, current).merge(
        before[["coverage_model_id", "required"]].rename(columns={"required": "required_now"}),
        on="coverage_model_id",
        how="outer",
    )
    headcount["required_now"] = headcount["required_now"].fillna(0)
    headcount["required"] = headcount["required"].fillna(0)
    return headcount, _coverage_moves(stored, models_after, models)


def _coverage_moves(
    stored: StoredCoverage, models_after: pd.Series, models: pd.DataFrame
) -> pd.DataFrame:
    """Return how many accounts would change coverage model, and how many of them are owned."""
    before = stored.coverage["coverage_model_id"].reindex(models_after.index)
    moves = pd.DataFrame({"from": before, "to": models_after})
    moves = moves[moves["from"].fillna(-1) != moves["to"].fillna(-1)]
    moves["owned"] = stored.owned(moves.index)
    names = models.set_index("coverage_model_id")["name"]
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
    session.commit()  # as a run: the book is read on fresh connections, which see only commits
    # Read as a run reads it: the ARR field and the stored coverage and owners come along.
    snapshot = read_snapshot(
        session, {scheme.id: parsed}, now, committed=True, for_write=True, extra_fields={"arr"}
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
        explain=False,  # a preview shows no explanations
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
    headcount, coverage_moves = (
        _coverage_effect(session, scheme.dimension, snapshot, outcome.result)
        if scheme.dimension in ("value", "needs")
        else (None, None)
    )
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
