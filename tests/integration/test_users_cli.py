"""`cstier users create` reads the password from stdin, refuses bad input, sets the workspace up."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import CoverageMatrixCell, CoverageModel, TierScheme, User
from cstier.services import users
from cstier.services.login_limits import LoginLimits
from tests.factories import UserFactory


def user_count() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(User.id)))


def sign_in(email: str, password: str) -> User | None:
    return users.authenticate(db.session, email, password, "127.0.0.1", limits=LoginLimits())


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


def defaults_count() -> tuple[int, int]:
    """Return how many tier schemes and coverage models exist, as committed."""
    with Session(db.engine) as fresh:
        return (
            fresh.scalar(select(func.count(TierScheme.id))),
            fresh.scalar(select(func.count(CoverageModel.id))),
        )


def test_the_first_admin_sets_the_workspace_up_with_the_defaults(runner, app_ctx):
    result = runner.invoke(
        args=["users", "create", "boss@y.io", "--role", "admin"], input="longpassword\n"
    )

    assert result.exit_code == 0, result.output
    assert defaults_count() == (5, 3)
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count(CoverageMatrixCell.id))) == 9
    second = runner.invoke(
        args=["users", "create", "deputy@y.io", "--role", "admin"], input="longpassword\n"
    )
    assert second.exit_code == 0 and defaults_count() == (5, 3)


@pytest.mark.parametrize("role", ["cs_manager", "csm", "viewer"])
def test_other_roles_do_not_set_the_workspace_up(runner, app_ctx, role):
    runner.invoke(args=["users", "create", "x@y.io", "--role", role], input="longpassword\n")

    assert user_count() == 1 and defaults_count() == (0, 0)


def test_a_later_admin_leaves_the_workspace_as_it_is(runner, db_session):
    UserFactory(role="admin", email="first@example.com")

    runner.invoke(args=["users", "create", "x@y.io", "--role", "admin"], input="longpassword\n")

    assert user_count() == 2 and defaults_count() == (0, 0)


def test_set_password_from_stdin_ends_sessions(runner, db_session):
    UserFactory(email="known@example.com")
    with Session(db.engine) as fresh:
        token = fresh.scalar(select(User.session_token).where(User.email == "known@example.com"))

    result = runner.invoke(
        args=["users", "set-password", "KNOWN@example.com"], input="brand-new-secret\n"
    )

    assert result.exit_code == 0, result.output
    assert "brand-new-secret" not in result.output
    assert sign_in("known@example.com", "brand-new-secret") is not None
    with Session(db.engine) as fresh:
        assert (
            fresh.scalar(select(User.session_token).where(User.email == "known@example.com"))
            != token
        )


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("nobody@example.com", "brand-new-secret\n", "No user with email nobody@example.com."),
        ("known@example.com", "short\n", "at least 8 characters"),
    ],
    ids=["unknown email", "short password"],
)
def test_set_password_refuses_bad_input(runner, db_session, email, password, message):
    UserFactory(email="known@example.com")

    result = runner.invoke(args=["users", "set-password", email], input=password)

    assert result.exit_code == 1
    assert message in result.output
    assert sign_in("known@example.com", password.strip()) is None
