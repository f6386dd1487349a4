"""Workspace settings, custom attribute definitions and users saved at the version read."""

import pytest
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import CustomAttribute, User
from cstier.services import users, workspace
from cstier.services.errors import Conflict, NotFound, ValidationFailed
from cstier.services.login_limits import LoginLimits
from tests.factories import PASSWORD, UserFactory


def stored(model, pk: int):
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(model, pk)


def add_attribute(data_type: str = "choice") -> CustomAttribute:
    choices = ["a", "b"] if data_type == "choice" else []
    return workspace.add_custom_attribute(
        db.session,
        key="tier_hint",
        label="Hint",
        data_type=data_type,
        category="demographic",
        choices=choices,
    )


def test_an_attribute_is_relabelled_and_keeps_its_key_and_type(db_session):
    attribute = add_attribute()

    workspace.update_custom_attribute(
        db.session,
        attribute.id,
        label="Tier hint",
        category="behavioural",
        choices=["a", "b", "c"],
        expected_version=1,
    )

    saved = stored(CustomAttribute, attribute.id)
    assert (saved.key, saved.data_type, saved.label) == ("tier_hint", "choice", "Tier hint")
    assert (saved.category, saved.choices, saved.version) == ("behavioural", ["a", "b", "c"], 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"label": "  "}, "label"), ({"category": "mood"}, "category"), ({"choices": []}, "choices")],
)
def test_an_invalid_attribute_edit_is_not_saved(db_session, changes, field):
    attribute = add_attribute()
    values = {"label": "New", "category": "behavioural", "choices": ["x"]} | changes

    with pytest.raises(ValidationFailed) as excinfo:
        workspace.update_custom_attribute(db.session, attribute.id, **values, expected_version=1)

    assert field in excinfo.value.errors
    db.session.rollback()
    assert (
        stored(CustomAttribute, attribute.id).label,
        stored(CustomAttribute, attribute.id).version,
    ) == ("Hint", 1)


def test_an_unknown_attribute_is_not_found(db_session):
    with pytest.raises(NotFound):
        workspace.update_custom_attribute(
            db.session, 999_999, label="X", category="behavioural", choices=[], expected_version=1
        )


def test_a_short_new_password_saves_nothing_of_the_user(db_session):
    user = UserFactory(role="csm", name="Before")
    with pytest.raises(ValidationFailed) as excinfo:
        users.update_user(
            db.session,
            user.id,
            role="csm",
            active=True,
            name="After",
            new_password="short",
            expected_version=1,
        )
    assert "password" in excinfo.value.errors
    db.session.rollback()
    assert (stored(User, user.id).name, stored(User, user.id).version) == ("Before", 1)


def test_a_sign_in_leaves_the_users_version_alone(db_session):
    user = UserFactory(role="csm")

    assert users.authenticate(db.session, user.email, PASSWORD, None, limits=LoginLimits())

    saved = stored(User, user.id)
    assert saved.last_login_at is not None and saved.version == 1
    users.update_user(
        db.session,
        user.id,
        role="viewer",
        active=True,
        name=user.name,
        new_password=None,
        expected_version=1,
    )
    assert stored(User, user.id).role == "viewer"


def test_an_unchanged_workspace_version_saves_and_a_stale_one_does_not(db_session):
    workspace.get_workspace(db.session)
    db.session.commit()
    settings = {"name": "Acme CS", "account_unit": "company", "timezone": "UTC", "currency": "usd"}

    workspace.update_workspace(db.session, **settings, expected_version=1)
    with pytest.raises(Conflict):
        workspace.update_workspace(db.session, **settings | {"name": "Late"}, expected_version=1)

    db.session.rollback()
    assert workspace.get_workspace(db.session).name == "Acme CS"
