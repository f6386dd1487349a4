"""Backoff with full jitter, Retry-After, give-up; webhook URL safety; Standard Webhooks signing."""

import base64
import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta

import pytest

from cstier.domain.alerts.backoff import gives_up, parse_retry_after, retry_delay
from cstier.domain.alerts.signing import new_secret, sign
from cstier.domain.alerts.webhook_urls import UnsafeUrl, address_allowed, parse_webhook_url

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_full_jitter_stays_under_the_doubling_ceiling():
    rng = random.Random(1)
    for attempts in range(1, 8):
        delays = [retry_delay(attempts, rng=rng, base=10, cap=300) for _ in range(50)]
        ceiling = min(300, 10 * 2 ** (attempts - 1))
        assert all(timedelta(0) <= d <= timedelta(seconds=ceiling) for d in delays)
        assert len(set(delays)) > 1


def test_retry_after_is_a_floor():
    assert retry_delay(1, retry_after=120, rng=random.Random(2), base=1) >= timedelta(seconds=120)


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("30", NOW) == 30
    assert parse_retry_after("Mon, 02 Mar 2026 09:01:00 GMT", NOW) == 60
    assert parse_retry_after("soon", NOW) is None


def test_gives_up_by_attempts_or_age():
    assert gives_up(5, NOW, NOW, max_attempts=5, max_age=timedelta(hours=1))
    assert gives_up(1, NOW - timedelta(hours=2), NOW, max_attempts=5, max_age=timedelta(hours=1))
    assert not gives_up(4, NOW, NOW, max_attempts=5, max_age=timedelta(hours=1))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "http:// or https://"),
        ("https://user:pw@example.com/hook", "user name and password"),
        ("https:///nohost", "host name"),
        ("https://example.com:99999/", "valid URL"),
    ],
)
def test_bad_urls_are_refused_with_what_to_fix(url, message):
    with pytest.raises(UnsafeUrl, match=message):
        parse_webhook_url(url)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.5", "169.254.169.254", "::1", "fe80::1",
                "::ffff:10.0.0.1", "0.0.0.0", "240.0.0.1"],
)  # fmt: skip
def test_private_and_reserved_addresses_are_refused(address):
    assert not address_allowed("hooks.example.com", address, [])


def test_the_allow_list_admits_hosts_and_networks():
    assert address_allowed("hooks.example.com", "93.184.216.34", [])
    assert address_allowed("crm.internal", "10.0.0.8", ["crm.internal"])
    assert address_allowed("x", "10.0.0.8", ["10.0.0.0/8"])
    assert not address_allowed("x", "10.0.0.8", ["192.168.0.0/16"])


def test_signature_matches_the_reference_algorithm():
    secret = new_secret()
    body = b'{"type":"tier.changed"}'
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert sign(secret, "msg_1", 1700000000, body) == "v1," + base64.b64encode(expected).decode()


def test_signature_of_the_standard_webhooks_reference_vector():
    # The test vector of the Standard Webhooks reference libraries.
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
        b'{"test": 2432232314}',
    )  # fmt: skip
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
