"""API tokens: created in the UI or the CLI, shown once, stored hashed, revocable."""

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import ApiToken
from tests.e2e.api.conftest import assert_error_shape

TOKEN = re.compile(r"cst_[A-Za-z0-9_-]{20,}")


def stored_tokens() -> list[ApiToken]:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return list(fresh.scalars(select(ApiToken).order_by(ApiToken.id)))


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_cli_creates_a_token_shown_once_and_stored_hashed(runner, client, manager):
    result = runner.invoke(args=["tokens", "create", manager.email, "--name", "CRM sync"])

    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert TOKEN.fullmatch(raw)
    [token] = stored_tokens()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw)
    assert (token.name, token.user_id, token.last_used_at) == ("CRM sync", manager.id, None)
    listing = runner.invoke(args=["tokens", "list", manager.email])
    assert token.prefix in listing.output and raw not in listing.output

    assert client.get("/api/v1/accounts", headers=bearer(raw)).status_code == 200
    assert stored_tokens()[0].last_used_at is not None


def test_cli_refuses_an_unknown_user(runner, app_ctx):
    result = runner.invoke(args=["tokens", "create", "nobody@example.com"])

    assert result.exit_code == 1
    assert "No user with email nobody@example.com" in result.output
    assert stored_tokens() == []


def test_cli_revoke_makes_the_token_401(runner, client, viewer):
    raw = runner.invoke(args=["tokens", "create", viewer.email]).stdout.strip()
    assert client.get("/api/v1/segments", headers=bearer(raw)).status_code == 200
    token_id = stored_tokens()[0].id

    result = runner.invoke(args=["tokens", "revoke", str(token_id)])

    assert result.exit_code == 0, result.output
    body = assert_error_shape(client.get("/api/v1/segments", headers=bearer(raw)), 401)
    assert "revoked" in body["message"]


def test_ui_creates_shows_once_lists_prefix_and_revokes(client, auth, csm):
    auth.login(csm.email)
    assert 'href="/tokens/"' in client.get("/").get_data(as_text=True)  # the nav item

    created = client.post("/tokens/", data={"name": "laptop script"})

    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    raw = TOKEN.search(created.get_data(as_text=True)).group()
    [token] = stored_tokens()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    page = client.get("/tokens/").get_data(as_text=True)
    assert token.prefix in page and raw not in page and "laptop script" in page
    assert client.get("/api/v1/accounts", headers=bearer(raw)).status_code == 200

    revoked = client.post(f"/tokens/{token.id}/revoke")

    assert revoked.status_code == 302
    assert stored_tokens()[0].revoked_at is not None
    assert_error_shape(client.get("/api/v1/accounts", headers=bearer(raw)), 401)


def test_ui_refuses_a_nameless_token(client, auth, csm):
    auth.login(csm.email)

    assert client.post("/tokens/", data={"name": ""}).status_code == 400
    assert stored_tokens() == []


def test_ui_cannot_revoke_someone_elses_token(client, auth, runner, csm, other_csm):
    runner.invoke(args=["tokens", "create", other_csm.email])
    token = stored_tokens()[0]
    auth.login(csm.email)

    assert client.post(f"/tokens/{token.id}/revoke").status_code == 404
    assert stored_tokens()[0].revoked_at is None


def test_tokens_page_needs_sign_in(client, app):
    assert client.get("/tokens/").status_code == 302


def test_missing_malformed_and_unknown_tokens_get_401(client, app):
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": "Bearer "},
        bearer("cst_nope"),
    ):
        response = client.get("/api/v1/accounts", headers=headers)
        assert_error_shape(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_users_token_gets_401(client, bearer_for_inactive):
    assert_error_shape(client.get("/api/v1/accounts", headers=bearer_for_inactive), 401)


def test_a_session_cookie_is_not_enough(client, auth, admin):
    auth.login(admin.email)

    assert_error_shape(client.get("/api/v1/accounts"), 401)
