"""Accounts as a versioned resource."""

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Account, User
from cstier.services import accounts
from tests.factories import AccountFactory, UserFactory
from tests.integration.versioned import VersionedCase


def _manager(session: Session) -> Actor:
    user = session.query(User).filter_by(role="cs_manager").first()
    return Actor(user_id=user.id, role=user.role)


def _create(session: Session) -> int:
    UserFactory(role="cs_manager")
    account = AccountFactory()
    session.commit()
    return account.id


def _edit(session: Session, account_id: int, version: int, label: str) -> None:
    accounts.update_account(session, _manager(session), account_id, {"plan": label}, version)


CASES = [
    VersionedCase(
        name="account",
        create=_create,
        read_version=lambda session, pk: session.get(Account, pk).version,
        edit=_edit,
    )
]
