"""`cstier users create` reads the password from stdin and refuses bad input."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import User
from cstier.services import users
from tests.factories import UserFactory


def user_count() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(User.id)))


def sign_in(email: str, password: str) -> User | None:
    return users.authenticate(
        db.session, email, password, "127.0.0.1", max_failures=5, window_seconds=900
    )


def test_create_user_from_stdin_password(runner, app_ctx):
    result = runner.invoke(
        args=["users", "create", "x@y.io", "--role", "csm"], input="longpassword\n"
    )

    assert result.exit_code == 0, result.output
    assert "Created csm x@y.io" in result.output
    user = sign_in("x@y.io", "longpassword")
    assert user is not None
    assert (user.role, user.active) == ("csm", True)
    assert sign_in("x@y.io", "wrong-password") is None


def test_password_never_appears_in_output(runner, app_ctx):
    result = runner.invoke(
        args=["users", "create", "x@y.io", "--role", "viewer", "--name", "Xavier"],
        input="longpassword\n",
    )
    assert result.exit_code == 0, result.output
    assert "longpassword" not in result.output
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(User.name).where(User.email == "x@y.io")) == "Xavier"


@pytest.mark.parametrize(
    ("args", "password"),
    [
        (["users", "create", "x@y.io", "--role", "csm"], "short\n"),
        (["users", "create", "x@y.io", "--role", "overlord"], "longpassword\n"),
        (["users", "create", "taken@example.com", "--role", "csm"], "longpassword\n"),
        (["users", "create", "TAKEN@example.com ", "--role", "csm"], "longpassword\n"),
        (["users", "create", "not-an-email", "--role", "csm"], "longpassword\n"),
    ],
    ids=["short password", "unknown role", "duplicate email", "duplicate other case", "bad email"],
)
def test_bad_input_fails_and_creates_nothing(runner, db_session, args, password):
    UserFactory(email="taken@example.com")
    before = user_count()

    result = runner.invoke(args=args, input=password)

    assert result.exit_code != 0
    assert user_count() == before
    assert sign_in(args[2], password.strip()) is None
