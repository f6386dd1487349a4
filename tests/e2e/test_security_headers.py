"""Every response forbids framing, sniffing and inline scripts; HSTS only over HTTPS or in production."""

import re

import pytest

from tests.conftest import make_app


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/cstier.js", "/nowhere"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert (
        "script-src 'self';" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_carry_them_too(client, auth, manager):
    auth.login(manager.email)
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_always_with_secure_cookies(app, database_url, instance_path):
    production_like = make_app(database_url, instance_path, SESSION_COOKIE_SECURE=True)
    response = production_like.test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_every_page_names_a_favicon_that_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon"[^>]* href="([^"]+)"', page)

    assert icon, "no favicon link: browsers ask for /favicon.ico and log a 404 on every page"
    assert client.get(icon.group(1)).status_code == 200
