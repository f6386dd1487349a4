"""The sign-in limits over HTTP: per (email, address), per address, per email; proxies; no leaks."""

import re
import statistics
import time

import pytest

from tests.e2e.clients import new_client
from tests.e2e.test_bad_input import other_app
from tests.factories import PASSWORD

WRONG = "not-the-password"
CSRF_TOKEN = re.compile(r'name="csrf-token" content="[^"]+"')


def attempt(
    app,
    email: str,
    password: str = WRONG,
    address: str = "198.51.100.1",
    forwarded_for: str | None = None,
):
    """Post the sign-in form from a fresh browser connecting from `address`."""
    client = new_client(app, REMOTE_ADDR=address)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/login", data={"email": email, "password": password}, headers=headers)


def page(response, email: str) -> str:
    """Return the page without what differs by design: the email typed and the CSRF token."""
    return CSRF_TOKEN.sub("TOKEN", response.text.replace(email, "EMAIL"))


@pytest.fixture
def limited_app(app, database_url, instance_path):
    """An app with small limits, so tests reach them quickly."""
    yield from other_app(
        app,
        database_url,
        instance_path,
        LOGIN_MAX_FAILURES_PER_ADDRESS=8,
        LOGIN_MAX_FAILURES_PER_EMAIL=6,
        LOGIN_SLOWDOWN_STEP_MS=1,
        LOGIN_SLOWDOWN_MAX_MS=5,
    )


@pytest.fixture
def proxied_app(app, database_url, instance_path):
    """An app behind one trusted proxy."""
    yield from other_app(app, database_url, instance_path, TRUSTED_PROXIES=1)


def test_five_failures_block_only_that_email_from_that_address(app, manager, csm):
    for _ in range(5):
        assert attempt(app, manager.email).status_code == 401

    refused = attempt(app, manager.email, PASSWORD)

    assert refused.status_code == 429
    assert "Too many failed sign-ins for this account from your address." in refused.text
    assert "Wait 15 minutes and try again." in refused.text
    assert attempt(app, manager.email, PASSWORD, address="203.0.113.9").status_code == 302
    assert attempt(app, csm.email, PASSWORD).status_code == 302


def test_a_right_password_is_not_counted_as_a_failure(app, manager):
    for _ in range(4):
        assert attempt(app, manager.email).status_code == 401
    for _ in range(3):
        assert attempt(app, manager.email, PASSWORD).status_code == 302

    assert attempt(app, manager.email).status_code == 401
    assert attempt(app, manager.email, PASSWORD).status_code == 429


def test_failures_across_emails_block_the_address(limited_app, manager):
    for n in range(8):
        assert attempt(limited_app, f"guess{n}@example.com").status_code == 401

    refused = attempt(limited_app, manager.email, PASSWORD)

    assert refused.status_code == 429
    assert "Too many failed sign-ins from your address." in refused.text
    assert attempt(limited_app, manager.email, PASSWORD, address="203.0.113.9").status_code == 302


def test_addresses_of_one_ipv6_64_count_as_one_client(app, manager):
    for n in range(5):
        address = f"2001:db8:1:2::{n + 1:x}"
        assert attempt(app, manager.email, address=address).status_code == 401

    same_network = attempt(app, manager.email, PASSWORD, address="2001:db8:1:2:ffff::9")
    other_network = attempt(app, manager.email, PASSWORD, address="2001:db8:1:3::1")

    assert same_network.status_code == 429
    assert other_network.status_code == 302


def test_past_the_email_limit_the_owner_still_signs_in_from_a_fresh_address(limited_app, manager):
    for n in range(12):
        assert attempt(limited_app, manager.email, address=f"192.0.2.{n}").status_code == 401

    assert attempt(limited_app, manager.email, PASSWORD, address="203.0.113.9").status_code == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(app, manager):
    for n in range(5):
        assert attempt(app, manager.email, forwarded_for=f"192.0.2.{n}").status_code == 401

    response = attempt(app, manager.email, PASSWORD, forwarded_for="203.0.113.9")

    assert response.status_code == 429


def test_forwarded_for_from_a_trusted_proxy_names_the_client(proxied_app, manager):
    # The proxy appends the address it saw; what the client sent before it is not trusted.
    for n in range(5):
        forwarded = f"192.0.2.{n}, 203.0.113.7"
        assert attempt(proxied_app, manager.email, forwarded_for=forwarded).status_code == 401

    blocked = attempt(proxied_app, manager.email, PASSWORD, forwarded_for="203.0.113.7")
    other = attempt(proxied_app, manager.email, PASSWORD, forwarded_for="203.0.113.8")

    assert blocked.status_code == 429
    assert other.status_code == 302


def test_unknown_and_known_emails_answer_alike(app, manager):
    known = attempt(app, manager.email)
    unknown = attempt(app, "nobody@example.com")

    assert known.status_code == unknown.status_code == 401
    assert page(known, manager.email) == page(unknown, "nobody@example.com")
    for _ in range(4):
        attempt(app, "nobody@example.com")
    assert attempt(app, "nobody@example.com").status_code == 429


def test_unknown_emails_take_as_long_as_known_ones(app, manager):
    def seconds(email: str) -> float:
        started = time.perf_counter()
        attempt(app, email)
        return time.perf_counter() - started

    known = statistics.median(seconds(manager.email) for _ in range(3))
    unknown = statistics.median(seconds("nobody@example.com") for _ in range(3))

    # Checking a password hash dominates both; a skipped hash is ten times faster or more.
    assert unknown > known / 3


@pytest.mark.parametrize(
    "email", ["x" * 250 + "@example.com", "not-an-email", ""], ids=["too long", "no at", "empty"]
)
def test_malformed_emails_are_refused_before_counting(app, email):
    response = attempt(app, email)

    assert response.status_code == 400
