"""An email address alerts could not be mailed to is refused when the user is made, nothing saved."""

import pytest
from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import User
from cstier.services import users
from cstier.services.errors import ValidationFailed


@pytest.mark.parametrize("email", ["bob@", "bob", "bob@localhost", "bo b@example.com", "a@b..com"])
def test_an_invalid_email_address_is_refused(db_session, email):
    with pytest.raises(ValidationFailed) as refused:
        users.create_user(db.session, email, "a-long-secret", "csm")
    assert refused.value.errors["email"][0].startswith("Enter a valid email address")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_cli_says_what_to_fix(runner, db_session):
    result = runner.invoke(
        args=["users", "create", "bob@", "--role", "csm"], input="a-long-secret\na-long-secret\n"
    )
    assert result.exit_code != 0 and "Enter a valid email address" in result.output
