"""Derive each account's coverage model from its tiers, record changes, flag new owners."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cstier.domain.coverage import coverage_for_tiers, suggest_owners
from cstier.domain.coverage.loads import moved_totals
from cstier.domain.coverage.suggest import ACCOUNT_COLUMNS
from cstier.models import Account, AccountCoverage, CoverageChange, OutboxEvent
from cstier.models.base import utcnow
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.coverage.tiers import current_tiers
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import id_list, read_frame, read_id_lists
from cstier.store.bulk_writes import BulkWriter
from cstier.store.column_reads import read_columns


@dataclass
class DeriveSummary:
    """What a derivation changed; `models`: the model it derived for each account it read."""

    accounts: int
    changed: int
    flagged: int
    models: pd.Series


@dataclass
class StoredCoverage:
    """The stored coverage and owners a derivation compares with, read before it writes.

    `coverage`: by account_id, for the accounts with a coverage row: coverage_model_id.
    `owned_by_csm`: by account_id, for the accounts a CSM owns: csm_id and arr_cents.
    `in_pools`: the ids of the accounts a pool owns.
    """

    coverage: pd.DataFrame
    owned_by_csm: pd.DataFrame
    in_pools: np.ndarray

    def owned(self, account_ids: pd.Index) -> np.ndarray:
        """Return whether a CSM or a pool owns each of the accounts."""
        return account_ids.isin(self.owned_by_csm.index) | account_ids.isin(self.in_pools)


@dataclass
class CoverageInputs:
    """What a derivation reads, all of it read before it writes anything.

    `tiers`: account_id, value_tier, needs_tier for every account; `stored`: the stored
    coverage and owners; `facts`: by account id, arr_cents (the ARR field), region and
    vertical where the caller read them with its book (empty when it did not), which
    flagging owned accounts then takes instead of reading the account table.
    """

    tiers: pd.DataFrame
    stored: StoredCoverage
    facts: pd.DataFrame


def derive_coverage(
    session: Session, run_id: int | None = None, now: datetime | None = None
) -> DeriveSummary:
    """Re-derive every account's coverage model from its stored tiers, in the caller's transaction."""
    inputs = CoverageInputs(current_tiers(session), stored_coverage(session), pd.DataFrame())
    return apply_coverage(session, inputs, run_id=run_id, now=now or utcnow())


def apply_coverage(
    session: Session, inputs: CoverageInputs, *, run_id: int | None, now: datetime
) -> DeriveSummary:
    """Derive coverage from the inputs, record changes and flag new owners (no commit).

    Changes go to coverage_change; an owned account whose model changes is flagged for
    reassignment with a suggested owner.
    """
    ensure_default_coverage(session)
    tiers = inputs.tiers.set_index("account_id")
    stored = inputs.stored
    derived = coverage_for_tiers(
        tiers["value_tier"], tiers["needs_tier"], coverage_reads.matrix_frame(session)
    )
    known = stored.coverage.index.intersection(derived.index)
    before = stored.coverage["coverage_model_id"].reindex(derived.index)
    differs = (before.fillna(-1) != derived.fillna(-1)) | ~derived.index.isin(known)
    changed = derived[differs]
    was = before[differs]  # the changed accounts' stored models
    flag = pd.Series(stored.owned(changed.index), index=changed.index) & was.notna()
    suggested = _suggest_for_flagged(session, changed, flag, before, stored, derived, inputs.facts)
    _write_coverage(session, changed, flag, known, now, suggested)
    history = changed[was.fillna(-1) != changed.fillna(-1)]
    after_id = None if run_id is not None else session.scalar(select(func.max(CoverageChange.id)))
    _write_history(session, history, before, run_id, now)
    # A run's event announces its coverage moves too; a first model is not an alert.
    if run_id is None and before.reindex(history.index).notna().any():
        _announce(session, after_id, len(history), now)
    session.flush()
    return DeriveSummary(len(derived), len(history), int(flag.sum()), derived)


def stored_coverage(session: Session, committed: bool = False) -> StoredCoverage:
    """Read the stored coverage, column-wise, and the accounts a CSM owns.

    The coverage is one scan of its table (store/column_reads.py), not a row per account.
    The owned accounts, a fraction of the book, come through the indexes on their CSM and
    their pool, which beats scanning the account table or adding the pools to the scan.
    """
    coverage = read_columns(
        session,
        select(AccountCoverage.account_id, AccountCoverage.coverage_model_id),
        ["account_id", "coverage_model_id"],
        {"account_id": "int", "coverage_model_id": "number"},
        committed=committed,
    ).set_index("account_id")
    pooled = text(
        f"SELECT 1, {id_list(session, 'account_id')} FROM account_coverage "
        "WHERE pool_id IS NOT NULL"
    )
    # An aggregate without GROUP BY returns one row, its list NULL (empty) when none is pooled.
    ((_, in_pools),) = read_id_lists(session, pooled)
    owners = select(Account.id, Account.csm_id, Account.arr_cents).where(
        Account.csm_id.is_not(None)
    )
    owned = read_frame(session, owners, ["account_id", "csm_id", "arr_cents"])
    coverage["coverage_model_id"] = coverage["coverage_model_id"].astype("Int64")
    owned["csm_id"] = owned["csm_id"].astype("Int64")
    return StoredCoverage(
        coverage=coverage, owned_by_csm=owned.set_index("account_id"), in_pools=in_pools
    )


def _ids(values: pd.Series) -> list[int | None]:
    """Return nullable ids as plain Python ints and Nones, column-wise."""
    return values.astype("Int64").to_numpy(dtype=object, na_value=None).tolist()


def _write_coverage(
    session, changed: pd.Series, flag: pd.Series, known, now, suggested: pd.Series
) -> None:
    writer = BulkWriter(session, now)
    is_known = changed.index.isin(known)
    stored = changed[is_known]
    flagged = flag[is_known].to_numpy(bool)
    moved, kept = stored[flagged], stored[~flagged]
    # A flagged account gets its suggested owner in the same update (None: nobody fits).
    writer.update(
        "account_coverage",
        ("account_id",),
        ("coverage_model_id", "needs_reassignment", "suggested_owner_id", "updated_at"),
        [
            (a, m, True, o, writer.stamp)
            for a, m, o in zip(
                moved.index.tolist(), _ids(moved), _ids(suggested.reindex(moved.index)),
                strict=True,
            )
        ],
    )  # fmt: skip
    writer.update(
        "account_coverage",
        ("account_id",),
        ("coverage_model_id", "updated_at"),
        [(a, m, writer.stamp) for a, m in zip(kept.index.tolist(), _ids(kept), strict=True)],
    )
    writer.insert(
        "account_coverage",
        ("account_id", "coverage_model_id", "pool_id", "needs_reassignment", "suggested_owner_id", "updated_at"),
        [
            (a, m, None, False, None, writer.stamp)
            for a, m in zip(changed.index[~is_known].tolist(), _ids(changed[~is_known]), strict=True)
        ],
    )  # fmt: skip


def _announce(session, after_id: int | None, changed: int, now) -> None:
    """Write the coverage.changed outbox event in the changes' transaction (alerts read it)."""
    # The changes are the rows written after `after_id`, the last one before them.
    payload = {"run_id": None, "after_id": after_id or 0, "changed": changed}
    session.add(OutboxEvent(topic="coverage.changed", payload=payload, created_at=now))


def _write_history(session, history: pd.Series, before: pd.Series, run_id, now) -> None:
    writer = BulkWriter(session, now)
    writer.insert(
        "coverage_change",
        ("account_id", "from_model_id", "to_model_id", "at", "run_id"),
        [
            (a, f, t, writer.stamp, run_id)
            for a, f, t in zip(
                history.index.tolist(),
                _ids(before.reindex(history.index)),
                _ids(history),
                strict=True,
            )
        ],
    )


def _suggest_for_flagged(
    session: Session,
    changed: pd.Series,
    flag: pd.Series,
    before: pd.Series,
    stored: StoredCoverage,
    derived: pd.Series,
    run_facts: pd.DataFrame,
) -> pd.Series:
    """Return a suggested owner (csm id) for each newly flagged account, by account id.

    The suggester decides; this gathers its inputs before anything is written, so that a
    flagged account's suggestion goes in the same update as its flag. The changed
    accounts' region, vertical and ARR come from `run_facts` (by account id) when a run
    read them in its book, else from the database, and their CSM from the stored owners;
    each model's mean ARR is the stored one moved by their changes. Gathered up front, and
    from the run's book where it can, they spare a run a second read of the book and a
    row-by-row update. The mean counts each account once, in the model derived for it;
    an account without one (untiered, or no matrix cell) is in no mean.
    """
    if not flag.any():
        return pd.Series(dtype="Int64")
    facts, totals = facts_from_book(run_facts, changed.index, stored)
    if facts is None:
        facts = coverage_reads.account_facts(session, changed.index.to_numpy())
        totals = coverage_reads.model_arr_totals(session)
    placing = facts[facts["account_id"].isin(changed.index[flag.to_numpy()])].copy()
    placing["coverage_model_id"] = changed.reindex(placing["account_id"]).to_numpy()
    models = stored.coverage["coverage_model_id"]
    models = pd.concat([models[~models.index.isin(derived.index)], derived])
    owned = stored.owned_by_csm
    book = owned.assign(coverage_model_id=models.reindex(owned.index)).rename_axis("account_id")
    book = book.reset_index()[["account_id", "csm_id", "coverage_model_id", "arr_cents"]]
    arr = facts.set_index("account_id")["arr_cents"].reindex(changed.index)
    totals = moved_totals(totals, arr, before, changed)
    proposals = suggest_owners(
        placing[list(ACCOUNT_COLUMNS)],
        coverage_reads.csms_frame(session),
        coverage_reads.models_frame(session),
        coverage_reads.pools_frame(session),
        book,
        totals["arr_cents"] / totals["accounts"],
    )
    return proposals.set_index("account_id")["csm_id"].astype("Int64")


def facts_from_book(
    book: pd.DataFrame, changed: pd.Index, stored: StoredCoverage
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Return the changed accounts' facts and the stored models' ARR totals from a run's book.

    As coverage_reads.account_facts and coverage_reads.model_arr_totals give them; (None,
    None) when the book lacks a column or an account with a stored model, so
    the database must answer. `book` is by account id: arr_cents (the ARR field), region, vertical.
    """
    columns = ["arr_cents", "region", "vertical"]
    if not set(columns) <= set(book.columns):
        return None, None
    models = stored.coverage["coverage_model_id"].dropna()
    if not models.index.isin(book.index).all():
        return None, None
    facts = book.loc[changed, columns].rename_axis("account_id").reset_index()
    owners = stored.owned_by_csm["csm_id"]
    facts["csm_id"] = owners.reindex(facts["account_id"]).array
    arr = book["arr_cents"].reindex(models.index).to_numpy(dtype=float)
    grouped = pd.DataFrame({"arr_cents": arr, "accounts": 1.0}).groupby(
        models.astype("int64").to_numpy()
    )
    return facts, grouped.sum()


def rederive_book_coverage(session: Session, now: datetime | None = None) -> DeriveSummary:
    """Re-derive every account's coverage model as one unit of work."""
    with unit_of_work(session):
        return derive_coverage(session, now=now)
