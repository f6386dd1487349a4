"""Sessions end: logout, a password change, deactivation or a new role sign the user out everywhere."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import ApiToken
from cstier.models.base import utcnow
from tests.e2e.clients import new_client
from tests.e2e.test_bad_input import other_app
from tests.factories import PASSWORD

REMEMBER = "remember_token"


def sign_in(app, email: str, password: str = PASSWORD):
    """Return a new client signed in with "Keep me signed in"."""
    client = new_client(app)
    response = client.post("/login", data={"email": email, "password": password, "remember": "y"})
    assert response.status_code == 302
    return client


def copy_cookie(app, source, name: str):
    """Return a fresh client holding only `source`'s cookie `name` (a stolen or second device)."""
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    client = new_client(app)
    client.set_cookie(name, cookie.value)
    return client


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def with_remember(app, value: str):
    """Return a fresh client holding only this remember cookie."""
    client = new_client(app)
    client.set_cookie(REMEMBER, value)
    return client


def admin_saves(app, admin, user, **changes):
    """Have the admin save the user's edit form with these changes."""
    client = sign_in(app, admin.email)
    with Session(db.engine) as fresh:
        version = fresh.get(type(user), user.id).version  # the version the admin's form shows
    data = {"name": user.name, "role": user.role, "active": "y" if user.active else ""}
    data |= {"version": str(version)} | changes
    assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302


def test_logout_ends_the_session_cookie_and_the_remember_cookie(app, manager):
    client = sign_in(app, manager.email)
    old_session = copy_cookie(app, client, "session")
    old_remember = copy_cookie(app, client, REMEMBER)
    assert signed_in(old_session) and signed_in(old_remember)

    client.post("/logout")

    assert not signed_in(client)
    assert not signed_in(old_session)
    assert not signed_in(old_remember)


def test_logout_ends_the_users_other_sessions(app, manager):
    laptop = sign_in(app, manager.email)
    phone = copy_cookie(app, laptop, "session")
    assert signed_in(phone)

    phone.post("/logout")

    assert not signed_in(laptop)


@pytest.mark.parametrize(
    "changes",
    [{"password": "a-brand-new-secret"}, {"active": ""}, {"role": "viewer"}],
    ids=["password change", "deactivation", "role change"],
)
def test_admin_changes_end_every_session_of_the_user(app, admin, manager, changes):
    client = sign_in(app, manager.email)
    old_session = copy_cookie(app, client, "session")
    old_remember = copy_cookie(app, client, REMEMBER)

    admin_saves(app, admin, manager, **changes)

    assert not signed_in(client)
    assert not signed_in(old_session)
    assert not signed_in(old_remember)


def test_a_new_password_signs_in_after_the_change(app, admin, manager):
    admin_saves(app, admin, manager, password="a-brand-new-secret")

    assert signed_in(sign_in(app, manager.email, "a-brand-new-secret"))


def test_renaming_a_user_keeps_their_session(app, admin, manager):
    client = sign_in(app, manager.email)

    admin_saves(app, admin, manager, name="Mia Lead")

    assert signed_in(client)


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(app, admin):
    here = sign_in(app, admin.email)
    elsewhere = sign_in(app, admin.email)
    form = {"name": admin.name, "role": "admin", "active": "y", "password": "new-admin-secret"}
    form["version"] = str(admin.version)
    old_remember = copy_cookie(app, here, REMEMBER)

    assert here.post(f"/admin/users/{admin.id}", data=form).status_code == 302

    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert not signed_in(old_remember)


def test_signing_in_on_another_device_keeps_the_first_signed_in(app, manager):
    laptop = sign_in(app, manager.email)

    phone = sign_in(app, manager.email)

    assert signed_in(laptop) and signed_in(phone)


def test_the_remember_cookie_changes_on_every_sign_in(app, manager):
    first = sign_in(app, manager.email).get_cookie(REMEMBER).value
    second = sign_in(app, manager.email).get_cookie(REMEMBER).value

    assert first != second
    assert signed_in(with_remember(app, first)) and signed_in(with_remember(app, second))


@pytest.fixture
def short_memory_app(app, database_url, instance_path):
    """An app on the test database whose sign-ins last one second."""
    yield from other_app(
        app, database_url, instance_path, REMEMBER_COOKIE_DURATION=timedelta(seconds=1)
    )


def test_a_sign_in_expires_after_the_configured_time(short_memory_app, manager):
    client = sign_in(short_memory_app, manager.email)
    session = client.get_cookie("session").value
    remember = client.get_cookie(REMEMBER).value

    time.sleep(1.2)

    assert not signed_in(with_remember(short_memory_app, remember))
    stale = new_client(short_memory_app)
    stale.set_cookie("session", session)
    assert not signed_in(stale)


def test_the_remember_cookie_lasts_the_configured_days(app, manager):
    remember = sign_in(app, manager.email).get_cookie(REMEMBER)

    lifetime = remember.expires - utcnow()

    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    assert timedelta(days=13, hours=23) < lifetime <= timedelta(days=14)


def test_deactivation_revokes_api_tokens_and_logout_does_not(app, runner, admin, manager, csm):
    for user in (manager, csm):
        result = runner.invoke(args=["tokens", "create", user.email, "--name", "CRM sync"])
        assert result.exit_code == 0, result.output
    sign_in(app, csm.email).post("/logout")

    admin_saves(app, admin, manager, active="")

    with Session(db.engine) as fresh:
        revoked = dict(fresh.execute(select(ApiToken.user_id, ApiToken.revoked_at)).all())
    assert revoked[manager.id] is not None
    assert revoked[csm.id] is None
