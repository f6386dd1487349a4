"""Turn committed outbox events into notifications and deliveries, once each.

Runs after the run's transaction, never inside it: the run writes one outbox row and its
history; this reads them back. Notifications are unique per (user, change) and deliveries
per key, so dispatching an event again (a crash before it was marked) adds nothing.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.alerts.rules import Rule, should_alert
from cstier.domain.permissions import SYSTEM_ACTOR, Actor, sees_whole_book
from cstier.models import (
    AlertRule,
    AlertSubscription,
    Delivery,
    Notification,
    OutboxEvent,
    User,
    WebhookEndpoint,
)
from cstier.models.base import utcnow
from cstier.services.alerts_delivery.changes import TOPICS, ToldChange, changes_of
from cstier.services.alerts_delivery.messages import alert_email, webhook_body
from cstier.services.alerts_delivery.rules import (
    Subscribed,
    default_subscription,
    ensure_default_rules,
)
from cstier.services.unit_of_work import unit_of_work
from cstier.store.claims import claim_rows, insert_missing

log = logging.getLogger("cstier.alerts")
CADENCE_ORDER = ("immediate", "daily", "weekly")


@dataclass
class DispatchSummary:
    """What a dispatch pass did."""

    events: int = 0
    notifications: int = 0
    deliveries: int = 0
    event_ids: list[int] = field(default_factory=list)


@dataclass
class _Listener:
    user_id: int
    email: str
    actor: Actor
    rule_id: int
    rule: Rule
    channels: frozenset
    cadence: str


def message_id(key: str) -> str:
    """Return the webhook-id of a delivery key: stable, so receivers can deduplicate retries."""
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def dispatch_events(
    session: Session, now: datetime | None = None, limit: int = 100
) -> DispatchSummary:
    """Dispatch up to `limit` undispatched outbox events, oldest first, one transaction each."""
    now = now or utcnow()
    with unit_of_work(session):
        ensure_default_rules(session)
    summary = DispatchSummary()
    for _ in range(limit):
        with unit_of_work(session):
            table = OutboxEvent.__table__
            claimed = claim_rows(
                session, table,
                table.c.dispatched_at.is_(None) & table.c.topic.in_(TOPICS),
                [table.c.id], 1, {"dispatched_at": now},
            )  # fmt: skip
            if not claimed:
                break
            event = session.get(OutboxEvent, claimed[0])
            notified, queued = _fan_out(session, changes_of(session, event), now)
        summary.events += 1
        summary.event_ids.append(claimed[0])
        summary.notifications += notified
        summary.deliveries += queued
    return summary


def _fan_out(session: Session, changes: list[ToldChange], now: datetime) -> tuple[int, int]:
    """Write each listener's notification, emails due now, and webhook calls; return counts."""
    if not changes:
        return 0, 0
    listeners, endpoints = _listeners(session), _endpoints(session)
    # A CSM hears only of their own book: ask only their rules about their accounts.
    whole_book = [m for m in listeners if sees_whole_book(m.actor)]
    by_owner: dict[int, list[_Listener]] = {}
    for m in listeners:
        if not sees_whole_book(m.actor):
            by_owner.setdefault(m.user_id, []).append(m)
    notifications, deliveries = [], []
    for told in changes:
        wanted: dict[int, list[_Listener]] = {}
        for listener in whole_book + by_owner.get(told.change.csm_id, []):
            if should_alert(listener.rule, told.change, listener.actor):
                wanted.setdefault(listener.user_id, []).append(listener)
        for user_id, matched in wanted.items():
            notifications.append(_notification(user_id, matched, told, now))
            emailed = [m for m in matched if "email" in m.channels]
            if emailed and min(CADENCE_ORDER.index(m.cadence) for m in emailed) == 0:
                key = f"email:{user_id}:{told.key}"
                deliveries.append(
                    _delivery(key, "email", emailed[0].email, None, alert_email(told), now)
                )
        for endpoint_id, url, payload_format, rule, events in endpoints:
            if told.event_type not in events:
                continue
            if rule is None or should_alert(rule, told.change, SYSTEM_ACTOR):
                key = f"webhook:{endpoint_id}:{told.key}"
                body = {"body": webhook_body(told, payload_format)}
                deliveries.append(_delivery(key, "webhook", url, endpoint_id, body, now))
    insert_missing(session, Notification.__table__, notifications, ["user_id", "change_key"])
    insert_missing(session, Delivery.__table__, deliveries, ["key"])
    return len(notifications), len(deliveries)


def _notification(user_id: int, matched: list[_Listener], told: ToldChange, now: datetime) -> dict:
    digests = [m.cadence for m in matched if "email" in m.channels and m.cadence != "immediate"]
    immediate = any("email" in m.channels and m.cadence == "immediate" for m in matched)
    return {
        "user_id": user_id,
        "change_key": told.key,
        "rule_id": matched[0].rule_id,
        "account_id": told.change.account_id,
        "title": told.subject[:300],
        "body": told.explanation,
        "cause": told.cause[:200],
        "in_app": any("in_app" in m.channels for m in matched),
        # An email as it happens makes a digest of the same change redundant.
        "digest": None if immediate or not digests else min(digests, key=CADENCE_ORDER.index),
        "digested_at": None,
        "created_at": now,
        "read_at": None,
    }


def _delivery(key, channel, target, endpoint_id, payload, now) -> dict:
    return {
        "key": key, "channel": channel, "target": target, "endpoint_id": endpoint_id,
        "message_id": message_id(key), "payload": payload, "status": "pending", "attempts": 0,
        "next_attempt_at": now, "last_error": None, "claimed_by": None, "lease_until": None,
        "created_at": now, "sent_at": None,
    }  # fmt: skip


def _listeners(session: Session) -> list[_Listener]:
    """Return every (user, rule) pair that hears of something: chosen, or a role's default."""
    chosen = {(sub.user_id, sub.rule_id): sub for sub in session.scalars(select(AlertSubscription))}
    rules = list(session.scalars(select(AlertRule)))
    listeners = []
    for user in session.scalars(select(User).where(User.active.is_(True))):
        for rule in rules:
            sub = chosen.get((user.id, rule.id))
            how = (
                Subscribed(tuple(sub.channels or ()), sub.cadence)
                if sub
                else default_subscription(rule, user.role)
            )
            if not how.channels:
                continue
            listeners.append(
                _Listener(
                    user_id=user.id,
                    email=user.email,
                    actor=Actor(user.id, user.role),
                    rule_id=rule.id,
                    rule=_rule(rule),
                    channels=frozenset(how.channels),
                    cadence=how.cadence,
                )  # fmt: skip
            )
    return listeners


def _rule(rule) -> Rule:
    return Rule(rule.kind, rule.scheme_id, rule.tier, rule.region, rule.coverage_model_id)


def _endpoints(session: Session) -> list[tuple[int, str, str, Rule | None, list]]:
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True)))
    return [
        (e.id, e.url, e.payload_format, _rule(e.rule) if e.rule else None, e.events or [])
        for e in endpoints
    ]
