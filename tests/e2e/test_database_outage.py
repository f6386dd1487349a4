"""While the database is down, signed-in pages show the error page with 503 and the API answers JSON 503."""

import time

import pytest
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import make_app

# Port 1 on the loopback: nothing listens there, so every connection is refused at once.
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/cstier"


@pytest.fixture
def outage(app, instance_path):
    """An app instance like the live one, whose database cannot be reached."""
    return make_app(DEAD_DATABASE, instance_path, SECRET_KEY=app.config["SECRET_KEY"])


def _signed_in_client(outage, user_id: int):
    """Return a client holding the session cookie the running app gave a signed-in user."""
    client = outage.test_client()
    serializer = SecureCookieSessionInterface().get_signing_serializer(outage)
    # A session id as the app writes it: user id, session token, sign-in start in ms.
    session_id = f"{user_id}:token:{round(time.time() * 1000)}"
    cookie = serializer.dumps({"_user_id": session_id, "_fresh": True})
    client.set_cookie(outage.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    return client


@pytest.mark.parametrize("path", ["/", "/accounts/", "/tiers/", "/imports/"])
def test_signed_in_pages_show_the_error_page_with_503(outage, path):
    response = _signed_in_client(outage, user_id=1).get(path)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Database unavailable" in page and "try again shortly" in page
    assert "<nav" in page  # the app's own page, not a bare server error


def test_the_api_answers_json_503(outage):
    client = outage.test_client()
    response = client.get("/api/v1/accounts", headers={"Authorization": "Bearer not-checked"})
    assert response.status_code == 503
    assert response.json["code"] == 503 and "try again shortly" in response.json["message"]


def test_the_signed_in_cookie_is_accepted_by_the_live_app(client, app, manager):
    """The forged cookie is the real one: the same cookie signs the manager in when the database is up."""
    client.set_cookie(
        "session",
        SecureCookieSessionInterface()
        .get_signing_serializer(app)
        .dumps({"_user_id": manager.get_id(), "_fresh": True}),
    )
    assert client.get("/").status_code == 200
