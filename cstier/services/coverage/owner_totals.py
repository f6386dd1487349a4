"""Accounts and ARR per owner and coverage model, stored by a run and served while current.

Capacity sums the accounts still a customer, the manager's dashboard every owned one; both
read the same stored rows, split by churned or not. They are current while no write marked
the owners' totals since (store/book_marks.py, migration 0041).
"""

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.models import Account, AccountCoverage, ChurnedAccount, OwnerModelTotal
from cstier.services.unit_of_work import unit_of_work
from cstier.store.book_marks import OWNERS, replace_totals, unmarked, writes_are_marked
from cstier.store.bulk_reads import read_frame

COLUMNS = ["csm_id", "coverage_model_id", "churned", "accounts", "arr_cents"]


def store_owner_totals(session: Session) -> int:
    """Sum the whole book per owner, coverage model and churned or not, and store it; return rows.

    Where writes are not marked nothing would serve them: nothing is stored.
    """
    if not writes_are_marked(session):
        return 0
    churned = ChurnedAccount.account_id.is_not(None)
    stmt = (
        select(
            Account.csm_id,
            AccountCoverage.coverage_model_id,
            churned,
            func.count(),
            func.coalesce(func.sum(Account.arr_cents), 0),
        )
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .outerjoin(ChurnedAccount, ChurnedAccount.account_id == Account.id)
        .group_by(Account.csm_id, AccountCoverage.coverage_model_id, churned)
    )
    with unit_of_work(session):
        return replace_totals(
            session,
            OWNERS,
            OwnerModelTotal,
            lambda: [dict(zip(COLUMNS, row, strict=True)) for row in session.execute(stmt)],
        )


def stored_owner_totals(session: Session, owned_only: bool = False) -> pd.DataFrame | None:
    """Return the stored sums per owner and model if no write changed them since, else None.

    Over the accounts still a customer (csm_id <NA>: nobody), or with `owned_only` over
    every owned account, churned or not. One statement reads the rows and checks for
    marks, so both come from one snapshot.
    """
    if not writes_are_marked(session):
        return None
    kept = OwnerModelTotal.csm_id.is_not(None) if owned_only else ~OwnerModelTotal.churned
    stmt = (
        select(
            OwnerModelTotal.csm_id,
            OwnerModelTotal.coverage_model_id,
            func.sum(OwnerModelTotal.accounts),
            func.sum(OwnerModelTotal.arr_cents),
        )
        .where(kept, unmarked(OWNERS))
        .group_by(OwnerModelTotal.csm_id, OwnerModelTotal.coverage_model_id)
    )
    frame = read_frame(session, stmt, ["csm_id", "coverage_model_id", "accounts", "arr_cents"])
    if frame.empty:
        return None  # none stored or stale; an empty book is cheap live
    types = {"csm_id": "int64" if owned_only else "Int64", "coverage_model_id": "Int64"}
    return frame.astype({**types, "accounts": "int64", "arr_cents": "int64"})
