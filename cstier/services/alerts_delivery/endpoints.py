"""Webhook endpoints: kept by managers and admins, checked when saved, secret shown once."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.alerts.signing import new_secret
from cstier.domain.alerts.webhook_urls import UnsafeUrl
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import AlertRule, Delivery, WebhookEndpoint
from cstier.models.base import utcnow
from cstier.notify import secrets
from cstier.notify.webhook import Resolver, checked_address, resolve
from cstier.services.alerts_delivery.changes import EVENT_TYPES
from cstier.services.alerts_delivery.deliver import DeliverySummary, default_channels, send_claimed
from cstier.services.alerts_delivery.dispatch import _delivery
from cstier.services.alerts_delivery.messages import endpoint_test_body
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work

FORMATS = {"standard": "Standard Webhooks JSON", "slack": 'Slack-compatible {"text": …}'}


@dataclass(frozen=True)
class EndpointInput:
    """An endpoint as a manager typed it."""

    name: str
    url: str
    events: list[str]
    payload_format: str = "standard"
    rule_id: int | None = None
    enabled: bool = True


def _allowed(actor: Actor) -> None:
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins keep webhook endpoints.")


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    """Return every webhook endpoint."""
    _allowed(actor)
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """Return one endpoint."""
    _allowed(actor)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def _check(session: Session, data: EndpointInput, resolver: Resolver) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["Give the endpoint a name."]
    try:
        checked_address(data.url, resolver, current_app.config["WEBHOOK_ALLOWED_HOSTS"])
    except UnsafeUrl as exc:
        errors["url"] = [str(exc)]
    if not data.events or any(e not in EVENT_TYPES for e in data.events):
        errors["events"] = [f"Choose one or more events among {', '.join(EVENT_TYPES)}."]
    if data.payload_format not in FORMATS:
        errors["payload_format"] = ["Choose Standard Webhooks JSON or Slack-compatible."]
    if data.rule_id is not None and session.get(AlertRule, data.rule_id) is None:
        errors["rule_id"] = ["That alert rule does not exist."]
    if errors:
        raise ValidationFailed("The webhook endpoint was not saved.", errors)


def create_endpoint(
    session: Session, actor: Actor, data: EndpointInput, resolver: Resolver = resolve
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint and return it with its whsec_ secret, which is shown only this once."""
    _allowed(actor)
    _check(session, data, resolver)
    secret = new_secret()
    with unit_of_work(session):
        endpoint = WebhookEndpoint(
            name=data.name.strip(), url=data.url.strip(), events=sorted(set(data.events)),
            payload_format=data.payload_format, rule_id=data.rule_id, enabled=data.enabled,
            secret_encrypted=secrets.encrypt(secret), created_by_id=actor.user_id,
        )  # fmt: skip
        session.add(endpoint)
    return endpoint, secret


def update_endpoint(
    session: Session,
    actor: Actor,
    endpoint_id: int,
    data: EndpointInput,
    resolver: Resolver = resolve,
) -> WebhookEndpoint:
    """Change an endpoint; enabling it again clears why it was disabled."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    _check(session, data, resolver)
    with unit_of_work(session):
        endpoint.name, endpoint.url = data.name.strip(), data.url.strip()
        endpoint.events, endpoint.payload_format = sorted(set(data.events)), data.payload_format
        endpoint.rule_id, endpoint.enabled = data.rule_id, data.enabled
        if data.enabled:
            endpoint.disabled_reason = None
    return endpoint


def delete_endpoint(session: Session, actor: Actor, endpoint_id: int) -> None:
    """Delete an endpoint and its deliveries."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    with unit_of_work(session):
        for delivery in session.scalars(
            select(Delivery).where(Delivery.endpoint_id == endpoint_id)
        ):
            session.delete(delivery)
        session.delete(endpoint)


def send_test(
    session: Session,
    actor: Actor,
    endpoint_id: int,
    now: datetime | None = None,
    worker_id: str = "web",
) -> DeliverySummary:
    """Send a signed test message to the endpoint now; it is kept as a delivery like any other."""
    now = now or utcnow()
    endpoint = get_endpoint(session, actor, endpoint_id)
    key = f"test:{endpoint_id}:{now.timestamp()}"
    with unit_of_work(session):
        row = _delivery(key, "webhook", endpoint.url, endpoint_id,
                        {"body": endpoint_test_body(endpoint.payload_format, now)}, now)  # fmt: skip
        row |= {"status": "sending", "attempts": 1, "claimed_by": worker_id, "lease_until": now}
        delivery = Delivery(**row)
        session.add(delivery)
    return send_claimed(session, [delivery.id], now, worker_id, default_channels())


def rotate_secrets(session: Session) -> int:
    """Re-encrypt every endpoint secret with the first CSTIER_ENCRYPTION_KEY; return how many."""
    with unit_of_work(session):
        endpoints = list(session.scalars(select(WebhookEndpoint)))
        for endpoint in endpoints:
            endpoint.secret_encrypted = secrets.rotate(endpoint.secret_encrypted)
    return len(endpoints)
