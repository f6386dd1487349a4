"""Which segment each account is in, for the health and onboarding figures."""

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, null, select
from sqlalchemy.orm import Session, aliased

from cstier.models import (
    Account,
    AccountCoverage,
    CoverageModel,
    CurrentTier,
    TierScheme,
    User,
)
from cstier.services.coverage.tiers import active_scheme_id
from cstier.store.bulk_reads import read_frame
from cstier.store.tier_blocks import read_current_tiers

SEGMENT_FIELDS = {"coverage_model": "Coverage model", "value_tier": "Value tier", "csm": "CSM"}
DEFAULT_FIELD = "coverage_model"


def field_of_split(session: Session, split: str | None) -> str:
    """Return the health segment field matching a metrics split (the value scheme's key too).

    Splits with no health twin (plan, region, attributes, …) fall back to the coverage model.
    """
    if split in SEGMENT_FIELDS:
        return split
    scheme_id = active_scheme_id(session, "value")
    if scheme_id is not None and session.get(TierScheme, scheme_id).key == split:
        return "value_tier"
    return DEFAULT_FIELD


def account_segments(session: Session, by: str) -> pd.Series:
    """Return each account's segment name (missing when it has none), indexed by account id."""
    if by == "value_tier":
        scheme_id = active_scheme_id(session, "value")
        if scheme_id is None:
            return pd.Series(dtype=object)
        tiers = read_current_tiers(session, [scheme_id])[scheme_id]
        return pd.Series(tiers["tier"].astype(object).to_numpy(), index=tiers["account_id"])
    if by == "coverage_model":
        stmt = select(AccountCoverage.account_id, CoverageModel.name).join(
            CoverageModel, AccountCoverage.coverage_model_id == CoverageModel.id
        )
    elif by == "csm":
        stmt = select(Account.id, User.name).join(User, Account.csm_id == User.id)
    else:
        raise ValueError(f"unknown segment field {by!r}")
    frame = read_frame(session, stmt, ["account_id", "segment"])
    return pd.Series(frame["segment"].to_numpy(), index=frame["account_id"].to_numpy())


def with_segment(session: Session, stmt: Select, by: str, account_id: ColumnElement) -> Select:
    """Add each row's account segment name (NULL when it has none) as a last column, joined in SQL.

    The same segments as `account_segments` gives, so aggregates stay in the database.
    """
    if by == "value_tier":
        scheme_id = active_scheme_id(session, "value")
        if scheme_id is None:
            return stmt.add_columns(null().label("segment"))
        held = aliased(CurrentTier)
        return stmt.outerjoin(
            held, and_(held.account_id == account_id, held.scheme_id == scheme_id)
        ).add_columns(held.tier.label("segment"))
    if by == "coverage_model":
        coverage, model = aliased(AccountCoverage), aliased(CoverageModel)
        return (
            stmt.outerjoin(coverage, coverage.account_id == account_id)
            .outerjoin(model, model.id == coverage.coverage_model_id)
            .add_columns(model.name.label("segment"))
        )
    if by == "csm":
        owned, owner = aliased(Account), aliased(User)
        return (
            stmt.outerjoin(owned, owned.id == account_id)
            .outerjoin(owner, owner.id == owned.csm_id)
            .add_columns(owner.name.label("segment"))
        )
    raise ValueError(f"unknown segment field {by!r}")
