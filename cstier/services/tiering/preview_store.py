"""Stored what-if previews: compute one as a background job, keep it, read it back by page."""

import json
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Account, PreviewMove, SchemePreview, TierScheme
from cstier.services.errors import Forbidden, NotFound
from cstier.services.exports import render
from cstier.services.tiering.preview import PREVIEW_STEPS, Preview, preview_scheme
from cstier.services.tiering.run import Progress
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import read_frame
from cstier.store.bulk_writes import BulkWriter

PAGE_ROWS = 50
# Older previews are dropped as new ones are stored: each may hold a row per moving account.
KEPT_PREVIEWS = 20
MOVE_COLUMNS = ["preview_id", "position", "account_id", "from_tier", "to_tier", "arr_cents"]


@dataclass
class StoredPreview:
    """A stored preview as its result page shows it."""

    id: int
    scheme_id: int
    scheme_name: str
    based_on_version: int
    definition: dict
    created_at: datetime
    accounts_evaluated: int
    accounts_moving: int
    arr_moving: float
    tiers: list[str]
    matrix: pd.DataFrame  # from_tier, to_tier, accounts, arr
    headcount: pd.DataFrame | None  # name, required_now, required, current per coverage model
    coverage_moves: pd.DataFrame | None  # from_model, to_model, accounts, need_new_owner

    @property
    def pages(self) -> int:
        """Return how many pages the moving-accounts list has."""
        return max(1, -(-self.accounts_moving // PAGE_ROWS))

    @property
    def need_new_owner(self) -> int:
        """Return how many owned accounts would change coverage model."""
        if self.coverage_moves is None or self.coverage_moves.empty:
            return 0
        return int(self.coverage_moves["need_new_owner"].sum())


def run_preview(
    session: Session, actor: Actor, scheme_id: int, definition: dict, progress: Progress
) -> int:
    """Compute a draft's preview over the whole book, store it and return its id.

    Raise NotFound when the scheme was deleted after the preview was asked for.
    """
    scheme = session.get(TierScheme, scheme_id)
    if scheme is None:
        raise NotFound(
            f"Tier scheme #{scheme_id} no longer exists: it was deleted after the preview "
            "was asked for."
        )
    based_on = scheme.current_version
    result = preview_scheme(session, actor, scheme_id, definition, progress)
    progress(3, PREVIEW_STEPS, f"Storing {result.accounts_moving:,} moving accounts.")
    with unit_of_work(session):
        stored = SchemePreview(
            scheme_id=scheme_id,
            based_on_version=based_on,
            definition=definition,
            summary=_summary(result),
            requested_by_id=actor.user_id,
        )
        session.add(stored)
        session.flush()
        BulkWriter(session).insert("preview_move", MOVE_COLUMNS, _move_rows(stored.id, result))
        _drop_old_previews(session, stored.id)
    progress(
        PREVIEW_STEPS,
        PREVIEW_STEPS,
        f"{result.accounts_moving:,} of {result.accounts_evaluated:,} accounts would change tier.",
    )
    return stored.id


def get_preview(session: Session, actor: Actor, preview_id: int) -> StoredPreview:
    """Return a stored preview (managers and admins)."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins see tier scheme previews.")
    row = session.execute(
        select(SchemePreview, TierScheme.name)
        .join(TierScheme, TierScheme.id == SchemePreview.scheme_id)
        .where(SchemePreview.id == preview_id)
    ).first()
    if row is None:
        raise NotFound(f"No stored preview #{preview_id}.")
    stored, name = row
    summary = stored.summary
    return StoredPreview(
        id=stored.id,
        scheme_id=stored.scheme_id,
        scheme_name=name,
        based_on_version=stored.based_on_version,
        definition=stored.definition,
        created_at=stored.created_at,
        accounts_evaluated=summary["accounts_evaluated"],
        accounts_moving=summary["accounts_moving"],
        arr_moving=summary["arr_moving"],
        tiers=summary["tiers"],
        matrix=pd.DataFrame(summary["matrix"], columns=["from_tier", "to_tier", "accounts", "arr"]),
        headcount=_frame(summary.get("headcount")),
        coverage_moves=_frame(summary.get("coverage_moves")),
    )


def moving_page(session: Session, actor: Actor, preview_id: int, page: int) -> pd.DataFrame:
    """Return one page of a stored preview's moving accounts, largest ARR first, with names."""
    get_preview(session, actor, preview_id)
    first = (page - 1) * PAGE_ROWS + 1
    return _moves(session, preview_id, first, first + PAGE_ROWS - 1)


def moving_file(session: Session, actor: Actor, preview_id: int, fmt: str) -> bytes:
    """Return every account a stored preview would move, with names, as CSV or XLSX."""
    get_preview(session, actor, preview_id)
    return render(_moves(session, preview_id), fmt)


def _moves(
    session: Session, preview_id: int, first: int | None = None, last: int | None = None
) -> pd.DataFrame:
    stmt = (
        select(
            PreviewMove.account_id,
            Account.name,
            PreviewMove.from_tier,
            PreviewMove.to_tier,
            PreviewMove.arr_cents,
        )
        .outerjoin(Account, Account.id == PreviewMove.account_id)
        .where(PreviewMove.preview_id == preview_id)
        .order_by(PreviewMove.position)
    )
    if first is not None:
        stmt = stmt.where(PreviewMove.position.between(first, last))
    frame = read_frame(session, stmt, ["account_id", "name", "from_tier", "to_tier", "arr_cents"])
    frame["arr"] = frame.pop("arr_cents").astype("int64") / 100
    return frame


def _summary(result: Preview) -> dict:
    """Return the preview's figures as JSON-safe values, for the result page to show as they are."""
    return {
        "accounts_evaluated": int(result.accounts_evaluated),
        "accounts_moving": int(result.accounts_moving),
        "arr_moving": float(result.arr_moving),
        "tiers": list(result.tiers),
        "matrix": _records(result.matrix[["from_tier", "to_tier", "accounts", "arr"]]),
        "headcount": _records(result.headcount),
        "coverage_moves": _records(result.coverage_moves),
    }


def _records(frame: pd.DataFrame | None) -> list[dict] | None:
    # to_json turns numpy numbers and NaN into plain JSON numbers and nulls.
    return None if frame is None else json.loads(frame.to_json(orient="records"))


def _frame(records: list[dict] | None) -> pd.DataFrame | None:
    return None if records is None else pd.DataFrame.from_records(records)


def _move_rows(preview_id: int, result: Preview) -> list[tuple]:
    moving = result.moving
    from_tier = moving["from_tier"].astype(object)
    cents = np.rint(moving["arr"].fillna(0).to_numpy(float) * 100).astype(np.int64)
    return list(
        zip(
            [preview_id] * len(moving),
            range(1, len(moving) + 1),
            moving["account_id"].astype("int64").tolist(),
            from_tier.where(from_tier.notna(), None).tolist(),
            moving["to_tier"].astype(str).tolist(),
            cents.tolist(),
            strict=True,
        )
    )


def _drop_old_previews(session: Session, newest_id: int) -> None:
    old = select(SchemePreview.id).where(SchemePreview.id <= newest_id - KEPT_PREVIEWS)
    session.execute(delete(PreviewMove).where(PreviewMove.preview_id.in_(old)))
    session.execute(delete(SchemePreview).where(SchemePreview.id.in_(old)))
