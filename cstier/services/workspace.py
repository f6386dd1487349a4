"""Workspace settings and custom attribute definitions."""

from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.customer import (
    ACCOUNT_UNITS,
    ATTRIBUTE_CATEGORIES,
    ATTRIBUTE_KEY,
    ATTRIBUTE_TYPES,
)
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import CustomAttribute, Workspace
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write

KEY_PATTERN = ATTRIBUTE_KEY


def get_workspace(session: Session) -> Workspace:
    """Return the workspace row, creating it with defaults on first use."""
    workspace = session.get(Workspace, 1)
    if workspace is None:
        workspace = Workspace(id=1)
        session.add(workspace)
        session.flush()
    return workspace


def read_workspace(session: Session) -> Workspace:
    """Return the workspace row, or its defaults unsaved when it was never saved (a pure read)."""
    stored = session.get(Workspace, 1)
    if stored is not None:
        return stored
    return Workspace(
        id=1, name="cstier", account_unit="company", timezone="UTC", currency="USD", version=1
    )


def get_custom_attribute(session: Session, attribute_id: int) -> CustomAttribute:
    """Return one custom attribute definition, or raise NotFound."""
    attribute = session.get(CustomAttribute, attribute_id)
    if attribute is None:
        raise NotFound(f"No custom attribute with id {attribute_id}.")
    return attribute


def update_workspace(
    session: Session,
    *,
    name: str,
    account_unit: str,
    timezone: str,
    currency: str,
    expected_version: int,
) -> Workspace:
    """Change the workspace settings after checking them, if nobody saved them in between."""
    with unit_of_work(session):
        errors: dict[str, list[str]] = {}
        if account_unit not in ACCOUNT_UNITS:
            errors["account_unit"] = [f"Unit must be one of {', '.join(ACCOUNT_UNITS)}."]
        if timezone not in available_timezones():
            errors["timezone"] = [f"Unknown timezone {timezone!r}; use a name like Europe/Berlin."]
        if errors:
            raise ValidationFailed("The settings were not saved.", errors)
        with guarded_write(session, "settings page", key_race=True):
            workspace = get_workspace(session)
            check_version(workspace, expected_version, "settings page")
            workspace.name, workspace.account_unit = name, account_unit
            workspace.timezone, workspace.currency = timezone, currency.upper()
    return workspace


def add_custom_attribute(
    session: Session, *, key: str, label: str, data_type: str, category: str, choices: list[str]
) -> CustomAttribute:
    """Define a typed custom attribute accounts can carry."""
    with unit_of_work(session):
        errors: dict[str, list[str]] = {}
        if not KEY_PATTERN.match(key or ""):
            errors["key"] = [
                "Use lower-case letters, digits and underscores, starting with a letter."
            ]
        elif session.scalar(select(CustomAttribute.id).where(CustomAttribute.key == key)):
            errors["key"] = [f"An attribute with key {key} already exists."]
        if data_type not in ATTRIBUTE_TYPES:
            errors["data_type"] = [f"Type must be one of {', '.join(ATTRIBUTE_TYPES)}."]
        if category not in ATTRIBUTE_CATEGORIES:
            errors["category"] = [f"Category must be one of {', '.join(ATTRIBUTE_CATEGORIES)}."]
        if data_type == "choice" and not choices:
            errors["choices"] = ["A choice attribute needs at least one choice."]
        if errors:
            raise ValidationFailed("The attribute was not saved.", errors)
        attribute = CustomAttribute(
            key=key, label=label, data_type=data_type, category=category, choices=choices
        )
        session.add(attribute)
    return attribute


def update_custom_attribute(
    session: Session,
    attribute_id: int,
    *,
    label: str,
    category: str,
    choices: list[str],
    expected_version: int,
) -> CustomAttribute:
    """Relabel, recategorise or rechoose an attribute; its key and type stay, as stored values use them."""
    with unit_of_work(session):
        attribute = session.get(CustomAttribute, attribute_id)
        if attribute is None:
            raise NotFound(f"No custom attribute with id {attribute_id}.")
        check_version(attribute, expected_version, "custom attribute")
        errors: dict[str, list[str]] = {}
        if not label.strip():
            errors["label"] = ["The attribute needs a label."]
        if category not in ATTRIBUTE_CATEGORIES:
            errors["category"] = [f"Category must be one of {', '.join(ATTRIBUTE_CATEGORIES)}."]
        if attribute.data_type == "choice" and not choices:
            errors["choices"] = ["A choice attribute needs at least one choice."]
        if errors:
            raise ValidationFailed("The attribute was not saved.", errors)
        with guarded_write(session, "custom attribute"):
            attribute.label, attribute.category = label.strip(), category
            attribute.choices = choices if attribute.data_type == "choice" else []
    return attribute


def list_custom_attributes(session: Session) -> list[CustomAttribute]:
    """Return the attribute definitions by category and label."""
    stmt = select(CustomAttribute).order_by(CustomAttribute.category, CustomAttribute.label)
    return list(session.scalars(stmt))


def attributes_by_label(session: Session) -> list[CustomAttribute]:
    """Return the attribute definitions by label, as account pages list them."""
    return list(session.scalars(select(CustomAttribute).order_by(CustomAttribute.label)))


def define_attribute(
    session: Session,
    actor: Actor,
    *,
    key: str,
    data_type: str,
    label: str = "",
    category: str = "behavioural",
    choices: list[str] | tuple[str, ...] = (),
) -> CustomAttribute:
    """Define a custom attribute from an import, the CLI or the API (managers and admins)."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins define custom attributes.")
    cleaned = [c.strip() for c in choices if c and c.strip()]
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed("The attribute was not saved.", {"choices": ["A choice repeats."]})
    return add_custom_attribute(
        session,
        key=key,
        label=(label or key.replace("_", " ").capitalize()).strip()[:120],
        data_type=data_type,
        category=category,
        choices=cleaned if data_type == "choice" else [],
    )
