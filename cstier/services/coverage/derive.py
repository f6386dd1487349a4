"""Derive each account's coverage model from its tiers, record changes, flag new owners."""

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cstier.domain.coverage import coverage_for_tiers, suggest_owners
from cstier.models import Account, AccountCoverage, CoverageChange
from cstier.models.base import utcnow
from cstier.services.coverage import frames
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.coverage.tiers import current_tiers
from cstier.services.frames import read_frame

CHUNK = 10_000


@dataclass
class DeriveSummary:
    """What a derivation changed."""

    accounts: int
    changed: int
    flagged: int


def derive_coverage(
    session: Session, run_id: int | None = None, now: datetime | None = None
) -> DeriveSummary:
    """Re-derive every account's coverage model in bulk, in the caller's transaction (no commit).

    Changes go to coverage_change; an owned account whose model changes is flagged for
    reassignment with a suggested owner.
    """
    now = now or utcnow()
    ensure_default_coverage(session)
    tiers = current_tiers(session).set_index("account_id")
    derived = coverage_for_tiers(
        tiers["value_tier"], tiers["needs_tier"], frames.matrix_frame(session)
    )
    stored = _stored(session)
    known = stored.index.intersection(derived.index)
    before = stored["coverage_model_id"].reindex(derived.index)
    differs = (before.fillna(-1) != derived.fillna(-1)) | ~derived.index.isin(known)
    changed = derived[differs]
    owned = stored["owned"].reindex(changed.index).fillna(False).astype(bool)
    flag = owned & before.reindex(changed.index).notna()
    _write_coverage(session, changed, flag, known, now)
    history = changed[(before.reindex(changed.index).fillna(-1) != changed.fillna(-1))]
    _write_history(session, history, before, run_id, now)
    session.flush()
    flagged_ids = changed.index[flag.to_numpy()].tolist()
    _suggest_for_flagged(session, flagged_ids)
    return DeriveSummary(accounts=len(derived), changed=len(history), flagged=len(flagged_ids))


def _stored(session: Session) -> pd.DataFrame:
    stmt = select(
        AccountCoverage.account_id,
        AccountCoverage.coverage_model_id,
        Account.csm_id,
        AccountCoverage.pool_id,
    ).join(Account, Account.id == AccountCoverage.account_id)
    frame = read_frame(session, stmt, ["account_id", "coverage_model_id", "csm_id", "pool_id"])
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["owned"] = frame["csm_id"].notna() | frame["pool_id"].notna()
    return frame.set_index("account_id")


def _model(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _ids(values: pd.Series) -> list[int | None]:
    """Return nullable ids as plain Python ints and Nones, column-wise."""
    return [None if pd.isna(v) else int(v) for v in values.astype("Int64").to_numpy(object)]


def _write_coverage(session, changed: pd.Series, flag: pd.Series, known, now) -> None:
    is_known = changed.index.isin(known)
    updates = [
        {
            "account_id": int(a),
            "coverage_model_id": _model(m),
            "needs_reassignment": True,
            "suggested_owner_id": None,
            "updated_at": now,
        }
        if f
        else {"account_id": int(a), "coverage_model_id": _model(m), "updated_at": now}
        for a, m, f in zip(
            changed.index[is_known].tolist(),
            _ids(changed[is_known]),
            flag[is_known].tolist(),
            strict=True,
        )
    ]
    # Rows of one executemany must share keys: flagged and plain updates go separately.
    for group in (
        [r for r in updates if "needs_reassignment" in r],
        [r for r in updates if "needs_reassignment" not in r],
    ):
        _chunked(session, update(AccountCoverage), group)
    inserts = [
        {
            "account_id": a,
            "coverage_model_id": m,
            "pool_id": None,
            "needs_reassignment": False,
            "suggested_owner_id": None,
            "updated_at": now,
        }
        for a, m in zip(changed.index[~is_known].tolist(), _ids(changed[~is_known]), strict=True)
    ]
    # Core inserts: new rows need no ORM bookkeeping, and skipping it halves the time.
    _chunked(session, insert(AccountCoverage.__table__), inserts)


def _write_history(session, history: pd.Series, before: pd.Series, run_id, now) -> None:
    rows = [
        {"account_id": a, "from_model_id": f, "to_model_id": t, "at": now, "run_id": run_id}
        for a, f, t in zip(
            history.index.tolist(),
            _ids(before.reindex(history.index)),
            _ids(history),
            strict=True,
        )
    ]
    _chunked(session, insert(CoverageChange.__table__), rows)


def _suggest_for_flagged(session: Session, account_ids: list[int]) -> None:
    """Store a suggested owner on newly flagged accounts (the suggester decides, not this code)."""
    if not account_ids:
        return
    open_accounts = frames.open_accounts_frame(session)
    flagged = open_accounts[open_accounts["account_id"].isin(account_ids)]
    proposals = suggest_owners(
        flagged,
        frames.csms_frame(session),
        frames.models_frame(session),
        frames.pools_frame(session),
        frames.book_frame(session),
    )
    rows = [
        {"account_id": a, "suggested_owner_id": c}
        for a, c in zip(proposals["account_id"].tolist(), _ids(proposals["csm_id"]), strict=True)
    ]
    _chunked(session, update(AccountCoverage), rows)


def _chunked(session: Session, statement, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])
