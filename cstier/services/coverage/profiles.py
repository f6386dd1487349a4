"""CSM profiles (FTE, regions, verticals, languages, models served) and pools (teams)."""

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import (
    AccountCoverage,
    AssignmentChange,
    CoverageModel,
    CsmProfile,
    Pool,
    User,
)
from cstier.services import audit
from cstier.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, conflict_message, guarded_write

PROFILE_FIELDS = ("fte", "regions", "verticals", "languages", "coverage_model_keys")


def _require_manager(actor: Actor) -> None:
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins edit CSM profiles and pools.")


def list_profiles(session: Session) -> list[tuple[User, CsmProfile | None]]:
    """Return every CSM with their profile (None until one is saved), active first."""
    stmt = (
        select(User, CsmProfile)
        .outerjoin(CsmProfile, CsmProfile.user_id == User.id)
        .where(User.role == "csm")
        .order_by(User.active.desc(), User.name)
    )
    return [(u, p) for u, p in session.execute(stmt).all()]


def get_profile(session: Session, user_id: int) -> tuple[User, CsmProfile | None]:
    """Return a CSM and their profile, or raise NotFound."""
    user = session.get(User, user_id)
    if user is None or user.role != "csm":
        raise NotFound(f"No CSM with id {user_id}.")
    return user, session.get(CsmProfile, user_id)


def profile_version(profile: CsmProfile | None) -> int:
    """Return the version an editor of this profile sends back (0: no profile saved yet)."""
    return profile.version if profile else 0


def save_profile(
    session: Session, actor: Actor, user_id: int, values: dict, expected_version: int
) -> CsmProfile:
    """Create or update a CSM's profile after checking FTE and model keys; audit it."""
    with unit_of_work(session):
        _require_manager(actor)
        _, profile = get_profile(session, user_id)
        if profile_version(profile) != expected_version:
            raise Conflict(conflict_message("CSM profile"))
        errors: dict[str, list[str]] = {}
        try:
            fte = Decimal(str(values.get("fte")))
        except (InvalidOperation, ValueError):
            fte = Decimal(-1)
        if not Decimal(0) < fte <= Decimal(2):
            errors["fte"] = ["FTE is between 0 and 2, e.g. 0.5 for half time."]
        keys = set(session.scalars(select(CoverageModel.key)))
        unknown = [k for k in values.get("coverage_model_keys", []) if k not in keys]
        if unknown:
            errors["coverage_model_keys"] = [f"Unknown coverage models: {', '.join(unknown)}."]
        if errors:
            raise ValidationFailed("The profile was not saved.", errors)
        before = audit.snapshot(profile, PROFILE_FIELDS) if profile else None
        # Two first saves of one profile both INSERT it: the second fails on the key, a Conflict.
        with guarded_write(session, "CSM profile", key_race=profile is None):
            if profile is None:
                profile = CsmProfile(user_id=user_id)
                session.add(profile)
            profile.fte = fte
            for name in ("regions", "verticals", "languages", "coverage_model_keys"):
                setattr(
                    profile, name, sorted({v.strip() for v in values.get(name, []) if v.strip()})
                )
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="csm_profile",
            entity_id=user_id,
            action="update" if before else "create",
            before=before,
            after=audit.snapshot(profile, PROFILE_FIELDS),
        )
    return profile


def list_pools(session: Session) -> list[Pool]:
    """Return every pool by name."""
    return list(session.scalars(select(Pool).order_by(Pool.name)))


def get_pool(session: Session, pool_id: int) -> Pool:
    """Return a pool, or raise NotFound."""
    pool = session.get(Pool, pool_id)
    if pool is None:
        raise NotFound(f"No pool with id {pool_id}.")
    return pool


def pool_account_counts(session: Session) -> dict[int, int]:
    """Return per pool id how many accounts are covered by that pool (pools with none left out)."""
    stmt = (
        select(AccountCoverage.pool_id, func.count())
        .where(AccountCoverage.pool_id.is_not(None))
        .group_by(AccountCoverage.pool_id)
    )
    return {int(pool_id): int(count) for pool_id, count in session.execute(stmt).all()}


def save_pool(
    session: Session, actor: Actor, pool_id: int | None, values: dict, expected_version: int | None
) -> Pool:
    """Create (no id, no version) or update a pool (name, model, CSM members); audit it."""
    with unit_of_work(session):
        _require_manager(actor)
        pool = session.get(Pool, pool_id) if pool_id else Pool()
        if pool is None:
            raise NotFound(f"No pool with id {pool_id}.")
        if pool_id:
            check_version(pool, expected_version, "pool")
        name = (values.get("name") or "").strip()
        errors: dict[str, list[str]] = {}
        if not name:
            errors["name"] = ["Give the pool a name."]
        elif session.scalar(select(Pool.id).where(Pool.name == name, Pool.id != (pool_id or 0))):
            errors["name"] = [f"Another pool is called {name}."]
        if session.get(CoverageModel, values.get("coverage_model_id") or 0) is None:
            errors["coverage_model_id"] = ["Choose the coverage model the pool serves."]
        members = sorted({int(m) for m in values.get("member_ids", [])})
        csm_ids = set(session.scalars(select(User.id).where(User.role == "csm")))
        if any(m not in csm_ids for m in members):
            errors["member_ids"] = ["Pool members must be CSMs."]
        if errors:
            raise ValidationFailed("The pool was not saved.", errors)
        before = {
            "name": pool.name,
            "coverage_model_id": pool.coverage_model_id,
            "member_ids": pool.member_ids,
        }
        # Two creates of one name race on its unique key: the second is a Conflict, not a 500.
        with guarded_write(session, "pool", key_race=pool_id is None):
            pool.name, pool.coverage_model_id = name, values["coverage_model_id"]
            pool.member_ids = members
            if pool_id is None:
                session.add(pool)
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="pool",
            entity_id=pool.id,
            action="update" if pool_id else "create",
            before=before if pool_id else None,
            after={
                "name": name,
                "coverage_model_id": pool.coverage_model_id,
                "member_ids": members,
            },
        )
    return pool


def delete_pool(session: Session, actor: Actor, pool_id: int, expected_version: int) -> None:
    """Delete a pool that no account is in and the assignment history does not name."""
    with unit_of_work(session):
        _require_manager(actor)
        pool = get_pool(session, pool_id)
        check_version(pool, expected_version, "pool")
        if session.scalar(
            select(AccountCoverage.account_id).where(AccountCoverage.pool_id == pool_id).limit(1)
        ):
            raise ValidationFailed(f"Pool {pool.name} still has accounts: reassign them first.")
        # The assignment history is append-only and points at its pools: deleting one it names
        # would break that record (and the foreign key), so such a pool stays.
        if session.scalar(
            select(AssignmentChange.id)
            .where(
                or_(
                    AssignmentChange.from_pool_id == pool_id, AssignmentChange.to_pool_id == pool_id
                )
            )
            .limit(1)
        ):
            raise ValidationFailed(
                f"Pool {pool.name} appears in the assignment history, which is kept: "
                "rename it or remove its members instead."
            )
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="pool",
            entity_id=pool.id,
            action="delete",
            before={"name": pool.name},
            after=None,
        )
        with guarded_write(session, "pool", key_race=True):
            session.delete(pool)
