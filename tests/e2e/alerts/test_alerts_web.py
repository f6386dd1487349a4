"""Alert pages over HTTP: bell and notifications, rules, subscriptions, endpoints, deliveries."""

import pytest
from sqlalchemy import func, select

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import AlertRule, AlertSubscription, Delivery, WebhookEndpoint
from cstier.services.alerts_delivery import deliver_due, dispatch_events
from cstier.services.setup import set_up_workspace
from cstier.services.tiering.run import run_tiering
from tests.integration.alerts.conftest import FEB, JAN
from tests.integration.tiering.conftest import set_arr


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def moved(app_ctx, split_book, manager):
    set_up_workspace(db.session)
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(split_book["mine"], 400_000)
    set_arr(split_book["theirs"], 20_000)
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    dispatch_events(db.session, FEB)
    return split_book


def test_the_bell_counts_unread_and_the_centre_marks_read(client, auth, moved, manager):
    auth.login(manager.email)
    page = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">2<' in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Theirs: Value tiers Strategic → Scale" in listing and "Data change" in listing
    assert client.post("/notifications/read-all").status_code == 302
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_a_user_sees_only_their_notifications(client, auth, moved, viewer):
    auth.login(viewer.email)
    assert "No notifications yet" in client.get("/notifications").get_data(as_text=True)


def test_managers_add_rules_and_bad_ones_are_refused(client, auth, app_ctx, manager, split_book):
    auth.login(manager.email)
    set_up_workspace(db.session)
    before = count(AlertRule)
    form = {"name": "Into Scale", "kind": "any_move", "tier": "Scale"}
    assert client.post("/alerts/rules", data=form).status_code == 302
    assert count(AlertRule) == before + 1
    refused = client.post("/alerts/rules", data=form | {"scheme_id": "999999"})
    assert refused.status_code == 400 and "That tier scheme does not exist" in refused.get_data(
        as_text=True
    )
    refused = client.post("/alerts/rules", data=form | {"tier": "Platinum"})
    assert refused.status_code == 400 and "No tier" in refused.get_data(as_text=True)
    assert count(AlertRule) == before + 1


def test_csms_cannot_keep_rules_endpoints_or_deliveries(client, auth, app_ctx, csm):
    auth.login(csm.email)
    for path in ("/alerts/rules", "/alerts/endpoints", "/alerts/deliveries"):
        assert client.get(path).status_code == 403


def test_everyone_chooses_their_subscriptions(client, auth, app_ctx, csm):
    set_up_workspace(db.session)
    auth.login(csm.email)
    page = client.get("/alerts/subscriptions").get_data(as_text=True)
    assert "Changes in my book" in page
    rule_id = db.session.scalar(select(AlertRule.id).where(AlertRule.kind == "my_book"))
    data = {"rule_id": rule_id, "channels": ["in_app", "email"], "cadence": "daily"}
    assert client.post("/alerts/subscriptions", data=data).status_code == 302
    db.session.expire_all()
    sub = db.session.scalar(select(AlertSubscription).where(AlertSubscription.user_id == csm.id))
    assert (sub.channels, sub.cadence) == (["email", "in_app"], "daily")
    bad = client.post("/alerts/subscriptions", data=data | {"channels": ["pager"]})
    assert bad.status_code == 400 and "Choose channels" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "must start with http:// or https://"),
        ("https://user:secret@hooks.example.com/x", "Remove the user name and password"),
        ("http://127.0.0.1:9/x", "private, loopback"),
        ("http://10.0.0.1/x", "private, loopback"),
    ],
)
def test_bad_webhook_urls_are_refused_and_nothing_saved(
    client, auth, app_ctx, manager, url, message
):
    auth.login(manager.email)
    response = client.post(
        "/alerts/endpoints",
        data={"name": "Bad", "url": url, "events": ["tier.changed"], "payload_format": "standard"},
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(WebhookEndpoint) == 0


def test_an_endpoint_shows_its_secret_once_and_sends_a_test(
    client, auth, app_ctx, manager, receiver
):
    auth.login(manager.email)
    data = {
        "name": "Ops",
        "url": receiver.url,
        "events": ["tier.changed"],
        "payload_format": "standard",
        "enabled": "y",
    }
    response = client.post("/alerts/endpoints", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "whsec_" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "whsec_" not in client.get("/alerts/endpoints").get_data(as_text=True)
    endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    assert client.post(f"/alerts/endpoints/{endpoint_id}/test").status_code == 302
    assert len(receiver.requests) == 1
    assert "The test message was delivered" in client.get("/alerts/endpoints").get_data(
        as_text=True
    )
    edit = client.get(f"/alerts/endpoints/{endpoint_id}")
    assert edit.status_code == 200 and receiver.url in edit.get_data(as_text=True)


def test_failed_deliveries_are_listed_and_retried(client, auth, app, moved, manager, receiver):
    auth.login(manager.email)
    data = {
        "name": "Ops",
        "url": receiver.url,
        "events": ["tier.changed"],
        "payload_format": "standard",
        "enabled": "y",
    }
    client.post("/alerts/endpoints", data=data)
    db.session.execute(db.update(db.metadata.tables["outbox_event"]).values(dispatched_at=None))
    db.session.commit()
    dispatch_events(db.session, FEB)
    receiver.answers = [(400, {}), (400, {})]
    app.config["DELIVERY_MAX_ATTEMPTS"] = 1
    try:
        deliver_due(db.session, FEB, "w")
    finally:
        app.config["DELIVERY_MAX_ATTEMPTS"] = 12
    page = client.get("/alerts/deliveries?status=gave_up").get_data(as_text=True)
    assert "HTTP 400" in page and "Retry" in page
    failed = db.session.scalar(select(Delivery.id).where(Delivery.status == "gave_up"))
    assert client.post(f"/alerts/deliveries/{failed}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(Delivery, failed).status == "pending"
    assert deliver_due(db.session, None, "w").sent == 1  # retried as of now
