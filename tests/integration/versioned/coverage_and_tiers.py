"""Coverage models, the matrix, pools, CSM profiles, tier schemes, overrides and handoffs."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import CoverageModel, Handoff, Pool, TierOverride, TierScheme, User
from cstier.services.coverage import handoffs, profiles, settings
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering import overrides, schemes
from tests.factories import AccountFactory, UserFactory
from tests.integration.versioned import VersionedCase


def _actor(session: Session, role: str) -> Actor:
    user = session.scalars(select(User).where(User.role == role).order_by(User.id)).first()
    return Actor(user_id=user.id, role=user.role)


def _first_model(session: Session) -> CoverageModel:
    return session.scalars(select(CoverageModel).order_by(CoverageModel.id)).first()


def _with_models(session: Session) -> None:
    UserFactory(role="cs_manager")
    ensure_default_coverage(session)
    session.commit()


# Coverage model


def _create_model(session: Session) -> int:
    _with_models(session)
    return _first_model(session).id


def _edit_model(session: Session, model_id: int, version: int, label: str) -> None:
    model = session.get(CoverageModel, model_id)
    values = {name: getattr(model, name) for name in settings.MODEL_FIELDS} | {"cadence": label}
    settings.update_model(session, _actor(session, "cs_manager"), model_id, values, version)


# Coverage matrix: one thing, its cells saved at the matrix's version (0 until first saved).


def _edit_matrix(session: Session, _pk: int, version: int, label: str) -> None:
    models = session.scalars(select(CoverageModel.id).order_by(CoverageModel.id)).all()
    model_id = models[0] if label.endswith("a") else models[-1]
    cells = {("Strategic", label): model_id}
    settings.save_matrix(session, _actor(session, "cs_manager"), cells, version)


def _create_saved_matrix(session: Session) -> int:
    _with_models(session)
    _edit_matrix(session, settings.MATRIX_ROW_ID, 0, "seed")
    return settings.MATRIX_ROW_ID


def _create_unsaved_matrix(session: Session) -> int:
    _with_models(session)
    return settings.MATRIX_ROW_ID


def _matrix_version(session: Session, _pk: int) -> int:
    return settings.matrix_version(session)


# Pool


def _create_pool(session: Session) -> int:
    _with_models(session)
    csm = UserFactory(role="csm")
    pool = Pool(name="Pooled EMEA", coverage_model_id=_first_model(session).id, member_ids=[csm.id])
    session.add(pool)
    session.commit()
    return pool.id


def _edit_pool(session: Session, pool_id: int, version: int, label: str) -> None:
    pool = session.get(Pool, pool_id)
    values = {"name": label, "coverage_model_id": pool.coverage_model_id, "member_ids": []}
    profiles.save_pool(session, _actor(session, "cs_manager"), pool_id, values, version)


# CSM profile: a saved one, and two first saves of one that does not exist yet.


def _create_csm(session: Session) -> int:
    _with_models(session)
    return UserFactory(role="csm").id


def _create_profile(session: Session) -> int:
    user_id = _create_csm(session)
    _edit_profile(session, user_id, 0, "seed")
    return user_id


def _edit_profile(session: Session, user_id: int, version: int, label: str) -> None:
    values = {"fte": "0.8", "regions": [label]}
    profiles.save_profile(session, _actor(session, "cs_manager"), user_id, values, version)


def _profile_version(session: Session, user_id: int) -> int:
    return profiles.profile_version(profiles.get_profile(session, user_id)[1])


# Tier scheme: its current_version is the version an editor opened.


def _create_scheme(session: Session) -> int:
    UserFactory(role="admin")
    schemes.ensure_default_schemes(session)
    session.commit()
    return session.scalar(select(TierScheme.id).where(TierScheme.dimension == "value"))


def _edit_scheme(session: Session, scheme_id: int, version: int, label: str) -> None:
    definition = {**schemes.get_scheme(session, scheme_id).current.definition, "goal": label}
    schemes.save_version(session, _actor(session, "admin"), scheme_id, definition, version)


# Override: revoking it is its edit.


def _create_override(session: Session) -> int:
    scheme_id = _create_scheme(session)
    UserFactory(role="cs_manager")
    account = AccountFactory()
    tier = schemes.validate(session, schemes.get_scheme(session, scheme_id).current.definition)
    override = overrides.create_override(
        session,
        _actor(session, "cs_manager"),
        account_id=account.id,
        scheme_id=scheme_id,
        tier=tier.tiers[0],
        reason="Strategic logo",
        expires_at=None,
    )
    return override.id


def _revoke_override(session: Session, override_id: int, version: int, _label: str) -> None:
    overrides.revoke_override(session, _actor(session, "cs_manager"), override_id, version)


# Handoff: marking it done is its edit.


def _create_handoff(session: Session) -> int:
    UserFactory(role="cs_manager")
    giver, taker = UserFactory(role="csm"), UserFactory(role="csm")
    handoff = Handoff(
        account_id=AccountFactory().id,
        from_csm_id=giver.id,
        to_csm_id=taker.id,
        due_date=date(2026, 12, 31),
    )
    session.add(handoff)
    session.commit()
    return handoff.id


def _complete_handoff(session: Session, handoff_id: int, version: int, _label: str) -> None:
    handoffs.complete_handoff(session, _actor(session, "cs_manager"), handoff_id, version)


CASES = [
    VersionedCase(
        name="coverage model",
        create=_create_model,
        read_version=lambda session, pk: session.get(CoverageModel, pk).version,
        edit=_edit_model,
    ),
    VersionedCase(
        name="coverage matrix",
        create=_create_saved_matrix,
        read_version=_matrix_version,
        edit=_edit_matrix,
    ),
    VersionedCase(
        name="coverage matrix first save",
        create=_create_unsaved_matrix,
        read_version=_matrix_version,
        edit=_edit_matrix,
    ),
    VersionedCase(
        name="pool",
        create=_create_pool,
        read_version=lambda session, pk: session.get(Pool, pk).version,
        edit=_edit_pool,
    ),
    VersionedCase(
        name="CSM profile",
        create=_create_profile,
        read_version=_profile_version,
        edit=_edit_profile,
    ),
    VersionedCase(
        name="CSM profile first save",
        create=_create_csm,
        read_version=_profile_version,
        edit=_edit_profile,
    ),
    VersionedCase(
        name="tier scheme",
        create=_create_scheme,
        read_version=lambda session, pk: session.get(TierScheme, pk).current_version,
        edit=_edit_scheme,
    ),
    VersionedCase(
        name="override",
        create=_create_override,
        read_version=lambda session, pk: session.get(TierOverride, pk).version,
        edit=_revoke_override,
    ),
    VersionedCase(
        name="handoff",
        create=_create_handoff,
        read_version=lambda session, pk: session.get(Handoff, pk).version,
        edit=_complete_handoff,
    ),
]
