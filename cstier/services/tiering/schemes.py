"""Tier schemes: seed the defaults, validate and version edits, list the active ones."""

import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from cstier.domain.permissions import Actor, can_manage_settings
from cstier.domain.tiering import DEFAULT_SCHEMES, InvalidScheme, Scheme, parse_scheme
from cstier.models import TierScheme, TierSchemeVersion
from cstier.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from cstier.services.tiering.fields import field_catalog
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import guarded_write


def _stale(scheme: TierScheme, expected_version: int) -> Conflict:
    return Conflict(
        f"Someone saved version {scheme.current_version} of this scheme after you opened "
        f"version {expected_version}. Reload to see it, then apply your edit again."
    )


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60]


def ensure_default_schemes(session: Session, created_by_id: int | None = None) -> list[TierScheme]:
    """Seed the default value, needs and segment schemes into an empty workspace (no commit)."""
    if session.scalar(select(func.count(TierScheme.id))):
        return []
    created = []
    for definition in DEFAULT_SCHEMES:
        scheme = TierScheme(
            key=_key(definition["name"]),
            name=definition["name"],
            dimension=definition["dimension"],
            goal=definition.get("goal", ""),
            kpi=definition.get("kpi", ""),
            current_version=1,
        )
        scheme.versions.append(
            TierSchemeVersion(version=1, definition=definition, created_by_id=created_by_id)
        )
        session.add(scheme)
        created.append(scheme)
    session.flush()
    return created


def seed_default_schemes(session: Session, actor: Actor) -> list[TierScheme]:
    """Create the default schemes in a workspace that has none (admins); return those created."""
    with unit_of_work(session):
        if not can_manage_settings(actor):
            raise Forbidden("Only admins create tier schemes.")
        created = ensure_default_schemes(session, created_by_id=actor.user_id)
    return created


def active_schemes(session: Session) -> list[TierScheme]:
    """Return the active schemes: value, needs, then segments by name."""
    order = {"value": 0, "needs": 1, "segment": 2}
    # Their versions in one query: every caller reads each scheme's current definition.
    stmt = (
        select(TierScheme)
        .where(TierScheme.active.is_(True))
        .options(selectinload(TierScheme.versions))
    )
    schemes = session.scalars(stmt).all()
    return sorted(schemes, key=lambda s: (order.get(s.dimension, 9), s.name))


def get_scheme(session: Session, scheme_id: int) -> TierScheme:
    """Return a scheme or raise NotFound."""
    scheme = session.get(TierScheme, scheme_id)
    if scheme is None:
        raise NotFound(f"No tier scheme with id {scheme_id}.")
    return scheme


def validate(session: Session, definition: dict) -> Scheme:
    """Parse a definition against the workspace's fields; raise ValidationFailed with the reason."""
    return validate_against(definition, field_catalog(session))


def validate_against(definition: dict, catalog: dict[str, str]) -> Scheme:
    """Parse a definition against a field catalog read once for several schemes."""
    try:
        return parse_scheme(definition, catalog)
    except InvalidScheme as exc:
        raise ValidationFailed(str(exc), {"definition": [str(exc)]}) from exc


def save_version(
    session: Session, actor: Actor, scheme_id: int, definition: dict, expected_version: int
) -> TierSchemeVersion:
    """Store an edit of version `expected_version` as the scheme's next one (admins).

    Nothing is saved if the definition is invalid or someone saved a newer version since.
    """
    with unit_of_work(session):
        if not can_manage_settings(actor):
            raise Forbidden("Only admins edit tier schemes.")
        scheme = get_scheme(session, scheme_id)
        if scheme.current_version != expected_version:
            raise _stale(scheme, expected_version)
        parsed = validate(session, definition)
        if parsed.dimension != scheme.dimension:
            raise ValidationFailed(
                f"This scheme is a {scheme.dimension} scheme; the definition says {parsed.dimension}.",
                {"definition": ["The dimension cannot change; create a new scheme instead."]},
            )
        # current_version is tested in this UPDATE, not by a mapper version column, so only scheme
        # edits check it: a run or a toggle of `active` never conflicts with an editor.
        moved = session.execute(
            update(TierScheme)
            .where(TierScheme.id == scheme.id, TierScheme.current_version == expected_version)
            .values(
                current_version=expected_version + 1,
                goal=parsed.goal,
                kpi=parsed.kpi,
                name=parsed.name or scheme.name,
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            session.rollback()
            raise _stale(session.get(TierScheme, scheme_id), expected_version)
        version = TierSchemeVersion(
            scheme_id=scheme.id,
            version=expected_version + 1,
            definition=definition,
            created_by_id=actor.user_id,
        )
        # The (scheme, version) key refuses a second definition of one version number.
        with guarded_write(session, "tier scheme", key_race=True):
            session.add(version)
    return version


def create_scheme(session: Session, actor: Actor, definition: dict) -> TierScheme:
    """Create a new scheme from a valid definition (admins)."""
    with unit_of_work(session):
        if not can_manage_settings(actor):
            raise Forbidden("Only admins create tier schemes.")
        parsed = validate(session, definition)
        key = _key(parsed.name or "scheme")
        if session.scalar(select(TierScheme.id).where(TierScheme.key == key)):
            raise ValidationFailed(
                f"A scheme named {parsed.name!r} already exists.",
                {"definition": ["Choose another name."]},
            )
        scheme = TierScheme(
            key=key,
            name=parsed.name,
            dimension=parsed.dimension,
            goal=parsed.goal,
            kpi=parsed.kpi,
            current_version=1,
        )
        scheme.versions.append(
            TierSchemeVersion(version=1, definition=definition, created_by_id=actor.user_id)
        )
        session.add(scheme)
    return scheme
