"""A seeded workspace for coverage: default models, matrix and tier schemes, plus helpers."""

from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from cstier.domain.coverage import suggest_owners
from cstier.extensions import db
from cstier.models import AccountCoverage, CoverageModel, CsmProfile, TierScheme
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.store.tier_blocks import store_tiers


@pytest.fixture
def seeded(db_session) -> dict[str, CoverageModel]:
    """Seed models, matrix and schemes; return the models by key."""
    ensure_default_schemes(db_session)
    ensure_default_coverage(db_session)
    db_session.commit()
    return {m.key: m for m in db_session.scalars(select(CoverageModel))}


def set_tiers(account, value: str | None, needs: str | None) -> None:
    """Give an account its current value and needs tiers (as a tiering run would)."""
    session = db.session
    for dimension, tier in (("value", value), ("needs", needs)):
        scheme = session.scalar(select(TierScheme).where(TierScheme.dimension == dimension))
        store_tiers(session, scheme.id, [account.id], [tier])  # None clears the tier
    session.commit()


def give_profile(user, keys: list[str], fte: str = "1.00", **fit) -> CsmProfile:
    """Create or replace a CSM's profile."""
    session = db.session
    profile = session.get(CsmProfile, user.id) or CsmProfile(user_id=user.id)
    profile.fte = Decimal(fte)
    profile.coverage_model_keys = keys
    profile.regions = fit.get("regions", [])
    profile.verticals = fit.get("verticals", [])
    profile.languages = fit.get("languages", [])
    session.add(profile)
    session.commit()
    return profile


def stored_suggestions() -> dict[int, int | None]:
    """Return the suggested owner of every account flagged for reassignment, by account id."""
    flagged = select(AccountCoverage).where(AccountCoverage.needs_reassignment)
    return {c.account_id: c.suggested_owner_id for c in db.session.scalars(flagged)}


def suggestions_on_whole_book(account_ids) -> dict[int, int | None]:
    """Return what the suggester gives the accounts on inputs read the plain way, afterwards.

    Every open account, the whole book and each model's mean ARR over it: what a
    derivation gathers piecemeal before it writes must come to the same suggestions.
    """
    session = db.session
    flagged = coverage_reads.open_accounts_frame(session)
    book = coverage_reads.book_frame(session)
    modelled = book.dropna(subset=["coverage_model_id"])
    mean_arr = modelled.groupby(modelled["coverage_model_id"].astype("int64"))["arr_cents"].mean()
    expected = suggest_owners(
        flagged[flagged["account_id"].isin(list(account_ids))],
        coverage_reads.csms_frame(session),
        coverage_reads.models_frame(session),
        coverage_reads.pools_frame(session),
        book,
        mean_arr.astype(float),
    )
    return {
        int(a): (None if pd.isna(c) else int(c))
        for a, c in zip(expected["account_id"], expected["csm_id"], strict=True)
    }
