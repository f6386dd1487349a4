"""A seeded workspace for coverage: default models, matrix and tier schemes, plus helpers."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import CoverageModel, CsmProfile, TierScheme
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.current import store_tiers
from cstier.services.tiering.schemes import ensure_default_schemes


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
