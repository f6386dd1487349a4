"""Load coverage inputs as DataFrames for the domain maths, column-wise."""

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

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
from cstier.services.frames import read_frame

MODEL_COLUMNS = [
    "coverage_model_id",
    "key",
    "name",
    "accounts_per_csm",
    "arr_per_csm_cents",
    "hard_limit_pct",
]


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
    frame = read_frame(session, stmt, MODEL_COLUMNS)
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
    """Return pool_id, coverage_model_id, member_ids (JSON lists need the ORM's decoding)."""
    pools = session.scalars(select(Pool).order_by(Pool.id)).all()
    return pd.DataFrame(
        {
            "pool_id": [p.id for p in pools],
            "coverage_model_id": [p.coverage_model_id for p in pools],
            "member_ids": [[int(m) for m in p.member_ids or []] for p in pools],
        }
    )


def csms_frame(session: Session) -> pd.DataFrame:
    """Return every CSM with FTE, regions, verticals and served model ids (direct ones)."""
    ids = dict(session.execute(select(CoverageModel.key, CoverageModel.id)).all())
    rows = session.execute(
        select(User, CsmProfile)
        .outerjoin(CsmProfile, CsmProfile.user_id == User.id)
        .where(User.role == "csm")
        .order_by(User.id)
    ).all()
    return pd.DataFrame(
        {
            "csm_id": [u.id for u, _ in rows],
            "name": [u.name for u, _ in rows],
            "active": [bool(u.active) for u, _ in rows],
            "fte": [float(p.fte) if p and p.fte is not None else 1.0 for _, p in rows],
            "regions": [list(p.regions or []) if p else [] for _, p in rows],
            "verticals": [list(p.verticals or []) if p else [] for _, p in rows],
            "model_ids": [
                [ids[k] for k in (p.coverage_model_keys or []) if k in ids] if p else []
                for _, p in rows
            ],
        },
        columns=["csm_id", "name", "active", "fte", "regions", "verticals", "model_ids"],
    )


def book_frame(session: Session, csm_id: int | None = None) -> pd.DataFrame:
    """Return every account (or one CSM's) with its owner, coverage model and ARR."""
    stmt = select(
        Account.id, Account.csm_id, AccountCoverage.coverage_model_id, Account.arr_cents
    ).outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
    if csm_id is not None:
        stmt = stmt.where(Account.csm_id == csm_id)
    frame = read_frame(session, stmt, ["account_id", "csm_id", "coverage_model_id", "arr_cents"])
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame


def owned_book_frame(session: Session) -> pd.DataFrame:
    """Return the accounts a CSM owns, with the columns of `book_frame`.

    A tiering run that flags owned accounts needs the load their CSMs carry, which a
    million-account book holds in its owned part alone (see `model_mean_arr`).
    """
    stmt = (
        select(Account.id, Account.csm_id, AccountCoverage.coverage_model_id, Account.arr_cents)
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
        .where(Account.csm_id.is_not(None))
    )
    frame = read_frame(session, stmt, ["account_id", "csm_id", "coverage_model_id", "arr_cents"])
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame


def model_mean_arr(session: Session) -> pd.Series:
    """Return the mean ARR (cents) of the accounts of each coverage model, by model id."""
    stmt = (
        select(AccountCoverage.coverage_model_id, func.avg(Account.arr_cents))
        .join(Account, Account.id == AccountCoverage.account_id)
        .where(AccountCoverage.coverage_model_id.is_not(None))
        .group_by(AccountCoverage.coverage_model_id)
    )
    rows = session.execute(stmt).all()
    return pd.Series(
        [float(mean) for _, mean in rows], index=[int(m) for m, _ in rows], dtype=float
    )


def open_accounts_frame(session: Session, flagged_only: bool = False) -> pd.DataFrame:
    """Return the accounts needing an owner: no CSM and no pool, or flagged for reassignment.

    `flagged_only` leaves out the unowned ones (most of a large book), through the flag's index.
    """
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
        .order_by(Account.id)
    )
    if flagged_only:
        stmt = stmt.where(AccountCoverage.needs_reassignment.is_(True))
    else:
        stmt = stmt.where(
            or_(
                and_(Account.csm_id.is_(None), AccountCoverage.pool_id.is_(None)),
                AccountCoverage.needs_reassignment.is_(True),
            )
        )
    columns = ["account_id", "coverage_model_id", "region", "vertical", "arr_cents", "csm_id"]
    frame = read_frame(session, stmt, columns)
    frame["coverage_model_id"] = frame["coverage_model_id"].astype("Int64")
    frame["csm_id"] = frame["csm_id"].astype("Int64")
    return frame
