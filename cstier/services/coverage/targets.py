"""What an assignment check needs to know about the CSM receiving accounts."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.coverage import Target
from cstier.models import CoverageModel, CsmProfile, Pool, User


def served_model_ids(session: Session, user_id: int) -> frozenset[int]:
    """Return the models a CSM serves: listed on their profile, or through a pool they are in."""
    profile = session.get(CsmProfile, user_id)
    keys = set(profile.coverage_model_keys or []) if profile else set()
    ids = {m.id for m in session.scalars(select(CoverageModel)) if m.key in keys}
    for pool in session.scalars(select(Pool)):
        if user_id in {int(m) for m in pool.member_ids or []}:
            ids.add(pool.coverage_model_id)
    return frozenset(ids)


def load_target(session: Session, user_id: int) -> Target | None:
    """Return the assignment target for a user id, or None if there is no such user."""
    user = session.get(User, user_id)
    if user is None:
        return None
    profile = session.get(CsmProfile, user_id)
    return Target(
        csm_id=user.id,
        name=user.name,
        role=user.role,
        active=bool(user.active),
        fte=float(profile.fte) if profile and profile.fte is not None else 1.0,
        model_ids=served_model_ids(session, user_id),
    )
