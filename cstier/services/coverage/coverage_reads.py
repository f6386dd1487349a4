"""Read the coverage maths' inputs (models, matrix, pools, CSMs, the book) as DataFrames."""

import json

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, cast, func, or_, select, text
from sqlalchemy.orm import Session

from cstier.domain.coverage.layouts import MODEL_COLUMNS
from cstier.models import (
    Account,
    AccountCoverage,
    Company,
    CoverageMatrixCell,
    CoverageModel,
    CsmProfile,
    Pool,
    User,
)
from cstier.services.coverage import owner_totals
from cstier.services.metrics.churned import still_customer
from cstier.store.bulk_reads import id_table, read_frame

CSM_FIT = ["regions", "verticals"]


def models_frame(session: Session) -> pd.DataFrame:
    """Return the coverage models in display order."""
    stmt = select(
        CoverageModel.id,
        CoverageModel.key,
        CoverageModel.name,
        CoverageModel.accounts_per_csm,
        CoverageModel.arr_per_csm_cents,
        CoverageModel.hard_limit_pct,
    ).order_by(CoverageModel.sort_order, CoverageModel.id)
    frame = read_frame(session, stmt, list(MODEL_COLUMNS))
    frame["arr_per_csm_cents"] = frame["arr_per_csm_cents"].astype(float)
    return frame


def matrix_frame(session: Session) -> pd.DataFrame:
    """Return the matrix cells: value_tier, needs_tier, coverage_model_id."""
    stmt = select(
        CoverageMatrixCell.value_tier,
        CoverageMatrixCell.needs_tier,
        CoverageMatrixCell.coverage_model_id,
    )
    return read_frame(session, stmt, ["value_tier", "needs_tier", "coverage_model_id"])


def pools_frame(session: Session) -> pd.DataFrame:
    """Return pool_id, coverage_model_id, member_ids (lists of CSM ids)."""
    pools = session.execute(
        select(Pool.id, Pool.coverage_model_id, Pool.member_ids).order_by(Pool.id)
    ).all()
    return pd.DataFrame(
        {
            "pool_id": [p.id for p in pools],
            "coverage_model_id": [p.coverage_model_id for p in pools],
            "member_ids": [[int(m) for m in p.member_ids or []] for p in pools],
        },
        columns=["pool_id", "coverage_model_id", "member_ids"],
    )


def csms_frame(session: Session) -> pd.DataFrame:
    """Return every CSM with FTE, regions, verticals and served model ids (direct ones).

    Selected as columns, not entities: an ORM object per CSM slowed every tiering run
    that flags owned accounts.
    """
    return _csms(session, with_fit=True)


def csm_targets_frame(session: Session) -> pd.DataFrame:
    """Return every CSM with name, FTE and served model ids: what loads and headcount need.

    Without regions and verticals: their JSON is most of reading thousands of CSMs.
    """
    return _csms(session, with_fit=False)


def _csms(session: Session, with_fit: bool) -> pd.DataFrame:
    ids = dict(session.execute(select(CoverageModel.key, CoverageModel.id)).all())
    fit = [cast(CsmProfile.regions, String), cast(CsmProfile.verticals, String)] if with_fit else []
    stmt = (
        select(
            User.id,
            User.name,
            User.active,
            CsmProfile.fte,
            cast(CsmProfile.coverage_model_keys, String),
            *fit,
        )
        .outerjoin(CsmProfile, CsmProfile.user_id == User.id)
        .where(User.role == "csm")
        .order_by(User.id)
    )
    # Plain cursor tuples: ORM rows cost most of reading thousands of CSMs.
    listed = ["model_ids", *CSM_FIT] if with_fit else ["model_ids"]
    rows = read_frame(session, stmt, ["csm_id", "name", "active", "fte", *listed])
    frame = pd.DataFrame(
        {
            "csm_id": rows["csm_id"].astype("int64"),
            "name": rows["name"].tolist(),
            "active": rows["active"].fillna(False).astype(bool),
            "fte": pd.to_numeric(rows["fte"], errors="coerce").astype(float).fillna(1.0),
        }
    )
    for column in listed:  # JSON as text: the plain cursor does not decode it on SQLite
        frame[column] = _json_lists(rows[column].tolist())
    frame["model_ids"] = [[ids[k] for k in keys if k in ids] for keys in frame["model_ids"]]
    return frame


def _json_lists(texts: list) -> list[list]:
    """Return JSON list texts as lists (none: empty); CSMs share a few, each decoded once."""
    decoded = {t: list(json.loads(t) or []) if isinstance(t, str) else [] for t in set(texts)}
    return [list(decoded[text]) for text in texts]


def book_frame(session: Session, csm_id: int | None = None) -> pd.DataFrame:
    """Return every account still a customer (or one CSM's) with its owner, model and ARR."""
    stmt = (
        select(Account.id, Account.csm_id, AccountCoverage.coverage_model_id, Account.arr_cents)
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .where(still_customer(Account.id))  # churned accounts leave coverage and capacity
    )
    if csm_id is not None:
        stmt = stmt.where(Account.csm_id == csm_id)
    frame = read_frame(session, stmt, ["account_id", "csm_id", "coverage_model_id", "arr_cents"])
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame


def owned_book_frame(session: Session, csm_ids: list[int] | None = None) -> pd.DataFrame:
    """Return the accounts a CSM owns (all CSMs, or the given ones), with model and ARR.

    Through the index on the owner: loads need only the owned part of the book.
    """
    stmt = select(
        Account.id, Account.csm_id, AccountCoverage.coverage_model_id, Account.arr_cents
    ).outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
    if csm_ids is None:
        stmt = stmt.where(Account.csm_id.is_not(None))
    else:
        stmt = stmt.where(Account.csm_id.in_([int(c) for c in csm_ids] or [-1]))
    frame = read_frame(session, stmt, ["account_id", "csm_id", "coverage_model_id", "arr_cents"])
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame


def owned_totals_frame(session: Session) -> pd.DataFrame:
    """Return accounts and ARR per owning CSM and coverage model: stored while current, else summed now."""
    stored = owner_totals.stored_owner_totals(session, owned_only=True)
    return live_owned_totals(session) if stored is None else stored


def live_owned_totals(session: Session) -> pd.DataFrame:
    """Return accounts and ARR per owning CSM and coverage model, summed in the database."""
    stmt = (
        select(
            Account.csm_id,
            AccountCoverage.coverage_model_id,
            func.count(),
            func.coalesce(func.sum(Account.arr_cents), 0),
        )
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .where(Account.csm_id.is_not(None))
        .group_by(Account.csm_id, AccountCoverage.coverage_model_id)
    )
    frame = read_frame(session, stmt, ["csm_id", "coverage_model_id", "accounts", "arr_cents"])
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    return frame


def book_totals_frame(session: Session) -> pd.DataFrame:
    """Return accounts and ARR per owner (<NA>: nobody) and coverage model, still customers.

    The totals a run stored while no write changed them since, else summed now.
    """
    stored = owner_totals.stored_owner_totals(session)
    return live_book_totals(session) if stored is None else stored


def live_book_totals(session: Session) -> pd.DataFrame:
    """Return accounts and ARR per owner (<NA>: nobody) and coverage model, summed in SQL.

    Over the accounts still a customer, as book_frame reads them: capacity needs only sums.
    """
    stmt = (
        select(
            Account.csm_id,
            AccountCoverage.coverage_model_id,
            func.count(),
            func.coalesce(func.sum(Account.arr_cents), 0),
        )
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .where(still_customer(Account.id))  # churned accounts leave coverage and capacity
        .group_by(Account.csm_id, AccountCoverage.coverage_model_id)
    )
    frame = read_frame(session, stmt, ["csm_id", "coverage_model_id", "accounts", "arr_cents"])
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["accounts"] = frame["accounts"].astype("int64")
    frame["arr_cents"] = frame["arr_cents"].astype("int64")
    return frame


def model_arr_totals(session: Session) -> pd.DataFrame:
    """Return the ARR (cents) and number of accounts of each coverage model, by model id."""
    stmt = (
        select(AccountCoverage.coverage_model_id, func.sum(Account.arr_cents), func.count())
        .join(Account, Account.id == AccountCoverage.account_id)
        .where(AccountCoverage.coverage_model_id.is_not(None), still_customer(Account.id))
        .group_by(AccountCoverage.coverage_model_id)
    )
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        {"arr_cents": [float(r[1] or 0) for r in rows], "accounts": [float(r[2]) for r in rows]},
        index=pd.Index([int(r[0]) for r in rows], dtype="int64"),
    )


def account_facts(session: Session, account_ids: np.ndarray) -> pd.DataFrame:
    """Return region, vertical, ARR and CSM of the given accounts (any number of them)."""
    listed, key, params = id_table(session, account_ids)
    stmt = text(
        "SELECT a.id, c.region, c.industry, a.arr_cents, a.csm_id "
        f"FROM {listed} JOIN account a ON a.id = {key} JOIN company c ON c.id = a.company_id"
    ).bindparams(**params)
    columns = ["account_id", "region", "vertical", "arr_cents", "csm_id"]
    frame = read_frame(session, stmt, columns)
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame


def open_accounts_frame(session: Session) -> pd.DataFrame:
    """Return the accounts needing an owner: no CSM and no pool, or flagged for reassignment."""
    stmt = (
        select(
            Account.id,
            AccountCoverage.coverage_model_id,
            Company.region,
            Company.industry,
            Account.arr_cents,
            Account.csm_id,
        )
        .join(Company, Account.company_id == Company.id)
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .where(
            or_(
                and_(Account.csm_id.is_(None), AccountCoverage.pool_id.is_(None)),
                AccountCoverage.needs_reassignment.is_(True),
            ),
            still_customer(Account.id),  # a churned account needs no owner
        )
        .order_by(Account.id)
    )
    columns = ["account_id", "coverage_model_id", "region", "vertical", "arr_cents", "csm_id"]
    frame = read_frame(session, stmt, columns)
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame
