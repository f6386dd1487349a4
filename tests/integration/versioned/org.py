"""Companies, departments, contacts, custom attributes, workspace settings and users."""

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Company, Contact, CustomAttribute, Department, User, Workspace
from cstier.services import companies, users, workspace
from tests.factories import CompanyFactory, ContactFactory, DepartmentFactory, UserFactory
from tests.integration.versioned import VersionedCase


def _manager(session: Session) -> Actor:
    user = session.query(User).filter_by(role="cs_manager").first()
    return Actor(user_id=user.id, role=user.role)


def _with_manager(make):
    def create(session: Session) -> int:
        UserFactory(role="cs_manager")
        row = make()
        session.commit()
        return row.id

    return create


def _version_of(model):
    return lambda session, pk: session.get(model, pk).version


def _edit_company(session: Session, pk: int, version: int, label: str) -> None:
    companies.update_company(session, _manager(session), pk, {"name": label}, version)


def _edit_department(session: Session, pk: int, version: int, label: str) -> None:
    companies.update_department(session, _manager(session), pk, {"name": label}, version)


def _edit_contact(session: Session, pk: int, version: int, label: str) -> None:
    companies.update_contact(session, _manager(session), pk, {"title": label}, version)


def _create_attribute(session: Session) -> int:
    attribute = workspace.add_custom_attribute(
        session,
        key="segment",
        label="Segment",
        data_type="text",
        category="behavioural",
        choices=[],
    )
    return attribute.id


def _edit_attribute(session: Session, pk: int, version: int, label: str) -> None:
    workspace.update_custom_attribute(
        session, pk, label=label, category="behavioural", choices=[], expected_version=version
    )


def _create_workspace(session: Session) -> int:
    settings = workspace.get_workspace(session)
    session.commit()
    return settings.id


def _edit_workspace(session: Session, pk: int, version: int, label: str) -> None:
    workspace.update_workspace(
        session,
        name=label,
        account_unit="company",
        timezone="UTC",
        currency="EUR",
        expected_version=version,
    )


def _create_user(session: Session) -> int:
    user = UserFactory(role="csm")
    session.commit()
    return user.id


def _edit_user(session: Session, pk: int, version: int, label: str) -> None:
    users.update_user(
        session,
        pk,
        role="csm",
        active=True,
        name=label,
        new_password=None,
        expected_version=version,
    )


CASES = [
    VersionedCase("company", _with_manager(CompanyFactory), _version_of(Company), _edit_company),
    VersionedCase(
        "department", _with_manager(DepartmentFactory), _version_of(Department), _edit_department
    ),
    VersionedCase("contact", _with_manager(ContactFactory), _version_of(Contact), _edit_contact),
    VersionedCase(
        "custom_attribute", _create_attribute, _version_of(CustomAttribute), _edit_attribute
    ),
    VersionedCase("workspace", _create_workspace, _version_of(Workspace), _edit_workspace),
    VersionedCase("user", _create_user, _version_of(User), _edit_user),
]
