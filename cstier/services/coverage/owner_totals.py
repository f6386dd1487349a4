"""Accounts and ARR per owner and coverage model, stored by a run and served while current.

Capacity sums the accounts still a customer, the manager's dashboard every owned one; both
read the same stored rows, split by churned or not. They are current while no write marked
the owners' totals since (store/book_marks.py, migration 0041).
"""

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from cstier.models import Account, AccountCoverage, ChurnedAccount, OwnerModelTotal
from cstier.services.unit_of_work import unit_of_work
from cstier.store.book_marks import OWNERS, clear_marks, unmarked, writes_are_marked
from cstier.store.bulk_reads import read_frame

COLUMNS = ["csm_id", "coverage_model_id", "churned", "accounts", "arr_cents"]


def store_owner_totals(session: Session) -> int:
    """Sum the whole book per owner, coverage model and churned or not, and store it; return rows.

    Where writes are not marked nothing would serve them: nothing is stored.
    """
    if not writes_are_marked(session):
        return 0
    with unit_of_work(session):
        clear_marks(session, OWNERS)  # first: later writes mark again
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
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in session.execute(stmt)]
        session.execute(delete(OwnerModelTotal))
        if rows:
            session.execute(insert(OwnerModelTotal), rows)
    return len(rows)


def stored_owner_totals(session: Session) -> pd.DataFrame | None:
    """Return the stored rows (COLUMNS) if no write changed them since, else None.

    One statement reads the rows and checks for marks, so both come from one snapshot.
    """
    if not writes_are_marked(session):
        return None
    stmt = select(*(getattr(OwnerModelTotal, c) for c in COLUMNS)).where(unmarked(OWNERS))
    frame = read_frame(session, stmt, COLUMNS)
    return None if frame.empty else frame  # none stored or stale; an empty book is cheap live


def still_customers(stored: pd.DataFrame) -> pd.DataFrame:
    """Return accounts and ARR per owner (<NA>: nobody) and model over the accounts still a customer."""
    return _summed(stored[~stored["churned"].astype(bool)])


def owned(stored: pd.DataFrame) -> pd.DataFrame:
    """Return accounts and ARR per owning CSM and model over every owned account."""
    frame = _summed(stored[stored["csm_id"].notna()])
    return frame.astype({"csm_id": "int64"})


def _summed(rows: pd.DataFrame) -> pd.DataFrame:
    keys = ["csm_id", "coverage_model_id"]
    frame = rows.astype({k: "Int64" for k in keys}).groupby(keys, dropna=False, as_index=False)
    frame = frame[["accounts", "arr_cents"]].sum()
    return frame.astype({"accounts": "int64", "arr_cents": "int64"})
