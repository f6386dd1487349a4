"""Webhooks reach a real local receiver, signed, at least once, with the same id on a retry."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cstier.extensions import db
from cstier.models import Delivery, WebhookEndpoint
from cstier.notify.webhook import WebhookChannel
from cstier.services.alerts_delivery import deliver_due, dispatch_events
from cstier.services.alerts_delivery.deliver import retry_delivery
from cstier.services.alerts_delivery.endpoints import EndpointInput, create_endpoint, send_test
from cstier.services.errors import ValidationFailed
from cstier.services.reports import as_utc
from tests.integration.alerts.conftest import FEB, actor, deliveries
from tests.webhooks import verify


@pytest.fixture
def endpoint(db_session, manager, receiver):
    """An endpoint for tier changes at the local receiver; returns (endpoint, secret)."""
    return create_endpoint(
        db.session, actor(manager), EndpointInput("Receiver", receiver.url, ["tier.changed"])
    )


def test_signed_webhooks_reach_the_receiver(db_session, moved, endpoint, receiver):
    _, secret = endpoint
    dispatch_events(db.session, FEB)
    summary = deliver_due(db.session, FEB, "worker-1")
    assert summary.sent == 2 and len(receiver.requests) == 2
    for request in receiver.requests:
        assert verify(secret, request.headers, request.body)
        assert request.headers["webhook-timestamp"] == str(int(FEB.timestamp()))
        assert request.json["type"] == "tier.changed"
    names = sorted(r.json["data"]["account_name"] for r in receiver.requests)
    assert names == ["Mine", "Theirs"]
    assert {d.status for d in deliveries("webhook")} == {"sent"}
    assert deliver_due(db.session, FEB, "worker-1").claimed == 0  # sent once


def test_the_secret_is_stored_encrypted(db_session, endpoint):
    stored, secret = endpoint
    raw = db.session.scalar(select(WebhookEndpoint.secret_encrypted))
    assert secret.startswith("whsec_") and secret.encode() not in bytes(raw)


def test_a_crash_after_sending_redelivers_with_the_same_id(db_session, moved, endpoint, receiver):
    dispatch_events(db.session, FEB)
    deliver_due(db.session, FEB, "worker-1")
    first_ids = sorted(r.headers["webhook-id"] for r in receiver.requests)
    # The worker sent, then died before recording: its claims stay `sending` with a lease.
    db.session.execute(
        update(Delivery).values(
            status="sending", claimed_by="dead", lease_until=FEB + timedelta(minutes=2)
        )
    )
    db.session.commit()
    assert deliver_due(db.session, FEB + timedelta(minutes=1), "worker-2").claimed == 0
    later = FEB + timedelta(minutes=3)
    assert deliver_due(db.session, later, "worker-2").sent == 2
    again = sorted(r.headers["webhook-id"] for r in receiver.requests[2:])
    assert again == first_ids


def test_a_target_down_gets_its_deliveries_when_it_returns(db_session, moved, endpoint, receiver):
    dispatch_events(db.session, FEB)
    receiver.stop()
    summary = deliver_due(db.session, FEB, "worker-1")
    assert summary.retrying == 2 and summary.sent == 0
    rows = deliveries("webhook")
    assert all(d.status == "pending" and d.attempts == 1 and d.last_error for d in rows)
    receiver.start()  # same port
    later = max(as_utc(d.next_attempt_at) for d in rows) + timedelta(seconds=1)
    assert deliver_due(db.session, later, "worker-1").sent == 2
    assert len(receiver.requests) == 2


def test_410_disables_the_endpoint(db_session, moved, endpoint, receiver):
    dispatch_events(db.session, FEB)
    receiver.answers = [(410, {}), (410, {})]
    summary = deliver_due(db.session, FEB, "worker-1")
    assert summary.failed == 2
    db.session.expire_all()
    stored = db.session.get(WebhookEndpoint, endpoint[0].id)
    assert not stored.enabled and "410" in stored.disabled_reason


def test_retry_after_is_honoured(db_session, moved, endpoint, receiver):
    dispatch_events(db.session, FEB)
    receiver.answers = [(429, {"Retry-After": "3600"}), (503, {"Retry-After": "3600"})]
    deliver_due(db.session, FEB, "worker-1")
    for d in deliveries("webhook"):
        assert d.status == "pending" and as_utc(d.next_attempt_at) >= FEB + timedelta(seconds=3600)
    assert deliver_due(db.session, FEB + timedelta(minutes=59), "worker-1").claimed == 0


def test_gives_up_after_the_configured_attempts_and_a_manager_retries(
    db_session, app, moved, endpoint, receiver, manager
):
    app.config["DELIVERY_MAX_ATTEMPTS"] = 2
    try:
        dispatch_events(db.session, FEB)
        receiver.answers = [(500, {})] * 4
        deliver_due(db.session, FEB, "w")
        later = FEB + timedelta(days=1)
        summary = deliver_due(db.session, later, "w")
        assert len(summary.gave_up) == 2
        assert {d.status for d in deliveries("webhook")} == {"gave_up"}
        retry_delivery(db.session, actor(manager), summary.gave_up[0], later)
        assert deliver_due(db.session, later, "w").sent == 1
    finally:
        app.config["DELIVERY_MAX_ATTEMPTS"] = 12


def test_a_private_address_is_refused_at_save(db_session, manager):
    with pytest.raises(ValidationFailed) as refused:
        create_endpoint(
            db.session,
            actor(manager),
            EndpointInput("Local", "http://127.0.0.1:9/x", ["tier.changed"]),
        )
    assert "private" in refused.value.errors["url"][0]
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_dns_rebinding_is_refused_at_send(db_session, app, moved, manager, receiver):
    answers = {"hooks.example.com": "93.184.216.34"}

    def resolver(host, port):
        return [answers[host]]

    app.config["WEBHOOK_ALLOWED_HOSTS"] = []
    create_endpoint(
        db.session, actor(manager),
        EndpointInput("Rebinding", f"http://hooks.example.com:{receiver.port}/hook", ["tier.changed"]),
        resolver=resolver,
    )  # fmt: skip
    dispatch_events(db.session, FEB)
    answers["hooks.example.com"] = "127.0.0.1"  # the name now points inside
    summary = deliver_due(
        db.session, FEB, "w", channels={"webhook": WebhookChannel(resolver=resolver)}
    )
    assert summary.failed == 2 and receiver.requests == []
    assert all("127.0.0.1" in d.last_error for d in deliveries("webhook"))


def test_the_checked_address_is_the_one_connected_to(db_session, app, moved, manager, receiver):
    # The resolver says 127.0.0.1 (allowed); the Host header keeps the URL's name.
    create_endpoint(
        db.session, actor(manager),
        EndpointInput("Named", f"http://receiver.test:{receiver.port}/hook", ["tier.changed"]),
        resolver=lambda host, port: ["127.0.0.1"],
    )  # fmt: skip
    dispatch_events(db.session, FEB)
    channel = WebhookChannel(resolver=lambda host, port: ["127.0.0.1"], allow_list=["127.0.0.1"])
    assert deliver_due(db.session, FEB, "w", channels={"webhook": channel}).sent == 2
    assert receiver.requests[0].headers["host"] == f"receiver.test:{receiver.port}"


def test_slack_payload(db_session, moved, manager, receiver):
    create_endpoint(
        db.session, actor(manager),
        EndpointInput("Slack", receiver.url, ["tier.changed"], payload_format="slack"),
    )  # fmt: skip
    dispatch_events(db.session, FEB)
    deliver_due(db.session, FEB, "w")
    texts = sorted(r.json["text"] for r in receiver.requests)
    assert texts[0].startswith("Mine: Value tiers Growth → Strategic\nData change")


def test_send_test_reaches_the_receiver(db_session, endpoint, receiver, manager):
    stored, secret = endpoint
    summary = send_test(db.session, actor(manager), stored.id, FEB, "web")
    assert summary.sent == 1
    (request,) = receiver.requests
    assert request.json["type"] == "webhook.test" and verify(secret, request.headers, request.body)
