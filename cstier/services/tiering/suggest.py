"""Suggested segments: cluster the book on picked features and adopt a proposal as a scheme."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, can_manage_book, can_manage_settings
from cstier.domain.segments_suggest import InvalidSuggestion, Suggestion, suggest_segments
from cstier.models import TierScheme
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.services.tiering.schemes import create_scheme

# Identifiers are numbers in the catalog but carry no meaning as a distance.
NOT_FEATURES = {"csm_id"}


def numeric_features(session: Session) -> list[str]:
    """Return the numeric fields a user may cluster on, table columns first."""
    catalog = field_catalog(session)
    names = [n for n, kind in catalog.items() if kind == "number" and n not in NOT_FEATURES]
    return sorted(names, key=lambda n: (n.startswith("attr."), n))


def suggest(
    session: Session, actor: Actor, features: Sequence[str], k: int, name: str = ""
) -> Suggestion:
    """Cluster the book into k segments (managers); raise ValidationFailed on bad input."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins suggest segments.")
    allowed = set(numeric_features(session))
    unknown = [f for f in features if f not in allowed]
    if unknown:
        raise ValidationFailed(
            f"Not a numeric field: {', '.join(unknown)}.", {"features": ["Pick numeric fields."]}
        )
    book = load_book(session, {*features, "arr"}, field_catalog(session))
    try:
        return suggest_segments(book, features, k, name=name or "Suggested segments")
    except InvalidSuggestion as exc:
        raise ValidationFailed(str(exc), {"features": [str(exc)]}) from exc


def adopt(session: Session, actor: Actor, features: Sequence[str], k: int, name: str) -> TierScheme:
    """Create a rule-based segment scheme from the proposal for these features and k (admins)."""
    if not can_manage_settings(actor):
        raise Forbidden("Only admins create tier schemes.")
    if not name.strip():
        raise ValidationFailed("Name the new scheme.", {"name": ["Name the new scheme."]})
    suggestion = suggest(session, actor, features, k, name.strip())
    return create_scheme(session, actor, suggestion.definition)
