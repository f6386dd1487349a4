"""Sign in, sign out, rate limiting and role guards over HTTP."""

import pytest

from tests.factories import UserFactory


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in to cstier" in response.data


def test_login_with_right_password_reaches_dashboard(client, auth, manager):
    response = auth.login(manager.email)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused(client, auth, manager):
    response = auth.login(manager.email, "wrong-password")
    assert response.status_code == 401
    assert b"Wrong email or password" in response.data
    assert client.get("/").status_code == 302  # still signed out


def test_inactive_user_cannot_sign_in(client, auth, db_session):
    user = UserFactory(role="csm", active=False)
    assert auth.login(user.email).status_code == 401


def test_failed_logins_are_rate_limited(client, auth, manager):
    for _ in range(5):
        assert auth.login(manager.email, "nope-nope").status_code == 401
    # Even the right password is refused while the limit holds.
    response = auth.login(manager.email)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.data


def test_logout_signs_out(client, auth, manager):
    auth.login(manager.email)
    auth.logout()
    assert client.get("/").status_code == 302


def test_pages_need_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_open_redirect_is_ignored(client, auth, manager):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": manager.email, "password": "correct-horse-42"},
    )
    assert response.location == "/"


@pytest.mark.parametrize("role", ["cs_manager", "csm", "viewer"])
def test_only_admins_manage_users_and_settings(client, auth, db_session, role):
    user = UserFactory(role=role)
    auth.login(user.email)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/settings").status_code == 403
