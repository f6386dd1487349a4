"""Seed the default coverage models and the value × needs matrix."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.coverage import DEFAULT_MATRIX, DEFAULT_MODELS
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import CoverageMatrixCell, CoverageModel
from cstier.services.errors import Forbidden
from cstier.services.unit_of_work import unit_of_work


def ensure_default_coverage(session: Session) -> int:
    """Create the default models and matrix in a workspace that has none; return models created."""
    if session.scalar(select(func.count(CoverageModel.id))):
        return 0
    by_key = {}
    for definition in DEFAULT_MODELS:
        model = CoverageModel(**definition)
        session.add(model)
        by_key[model.key] = model
    session.flush()
    for (value_tier, needs_tier), key in DEFAULT_MATRIX.items():
        session.add(
            CoverageMatrixCell(
                value_tier=value_tier, needs_tier=needs_tier, coverage_model_id=by_key[key].id
            )
        )
    session.flush()
    return len(by_key)


def seed_default_coverage(session: Session, actor: Actor) -> int:
    """Create the default models and matrix if there are none (managers); return models created."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins create coverage models.")
        created = ensure_default_coverage(session)
    return created
