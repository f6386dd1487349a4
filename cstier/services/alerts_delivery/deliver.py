"""Send due deliveries at least once: claim with a lease, send outside any transaction, record.

A worker that dies between sending and recording leaves its deliveries `sending`; once
their lease expires another worker sends them again with the same webhook-id, which is
what lets receivers drop the duplicate.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from cstier.domain.alerts.backoff import gives_up, retry_delay
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Delivery, WebhookEndpoint
from cstier.models.base import utcnow
from cstier.notify.base import Channel, Outbound, Outcome
from cstier.notify.email_channel import EmailChannel
from cstier.notify.secrets import MissingKey, decrypt
from cstier.notify.webhook import WebhookChannel
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.reports import as_utc
from cstier.services.unit_of_work import unit_of_work
from cstier.store.claims import claim_rows

log = logging.getLogger("cstier.delivery")
STATUSES = ("pending", "sending", "sent", "failed", "gave_up")


@dataclass
class DeliverySummary:
    """What one pass of a delivery worker did; `gave_up` lists deliveries operators must hear of."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    gave_up: list[int] = field(default_factory=list)


def default_channels() -> dict[str, Channel]:
    """Return the sending channels as the app's configuration sets them up."""
    config = current_app.config
    return {
        "email": EmailChannel(),
        "webhook": WebhookChannel(
            allow_list=config["WEBHOOK_ALLOWED_HOSTS"], timeout=config["WEBHOOK_TIMEOUT"]
        ),
    }


def deliver_due(
    session: Session,
    now: datetime | None = None,
    worker_id: str = "worker",
    limit: int = 200,
    channels: Mapping[str, Channel] | None = None,
) -> DeliverySummary:
    """Claim up to `limit` due deliveries for this worker, send them and record each outcome."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    table = Delivery.__table__
    due = or_(
        (table.c.status == "pending") & (table.c.next_attempt_at <= now),
        (table.c.status == "sending") & (table.c.lease_until < now),
    )
    with unit_of_work(session):
        ids = claim_rows(
            session, table, due, [table.c.next_attempt_at, table.c.id], limit,
            {"status": "sending", "claimed_by": worker_id, "lease_until": now + lease,
             "attempts": table.c.attempts + 1},
        )  # fmt: skip
    return send_claimed(session, ids, now, worker_id, channels or default_channels())


def send_claimed(
    session: Session, ids: list[int], now: datetime, worker_id: str, channels: Mapping[str, Channel]
) -> DeliverySummary:
    """Send deliveries this worker has claimed, then record what came of each."""
    summary = DeliverySummary(claimed=len(ids))
    if not ids:
        return summary
    with unit_of_work(session):  # reads only; closed before anything is sent
        rows = list(
            session.scalars(select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id))
        )
        endpoints = {e.id: e for e in session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.id.in_({r.endpoint_id for r in rows if r.endpoint_id}))
        )}  # fmt: skip
        work = {d.id: (d.channel, d.endpoint_id, d.attempts, as_utc(d.created_at)) for d in rows}
        outcomes: dict[int, Outcome] = {}
        batches: dict[str, list[Outbound]] = {}
        secrets_of: dict[int, str] = {}  # decrypted once per endpoint and batch
        for d in rows:
            endpoint = endpoints.get(d.endpoint_id)
            if d.channel == "webhook" and (endpoint is None or not endpoint.enabled):
                outcomes[d.id] = Outcome(False, "The endpoint is disabled.", permanent=True)
                continue
            if d.channel not in channels:
                outcomes[d.id] = Outcome(False, f"No channel {d.channel!r}.", permanent=True)
                continue
            try:
                secret = secrets_of.get(d.endpoint_id) if endpoint else None
                if endpoint and secret is None:
                    secret = secrets_of[d.endpoint_id] = decrypt(endpoint.secret_encrypted)
            except MissingKey as exc:
                outcomes[d.id] = Outcome(False, str(exc))
                continue
            batches.setdefault(d.channel, []).append(
                Outbound(
                    d.id, endpoint.url if endpoint else d.target, d.message_id, d.payload, secret
                )
            )
    for name, batch in batches.items():
        for item, outcome in zip(batch, channels[name].send(batch, now), strict=True):
            outcomes[item.delivery_id] = outcome
    _record(session, outcomes, work, now, worker_id, summary)
    return summary


def _record(session, outcomes: dict[int, Outcome], work: dict, now, worker_id, summary) -> None:
    config = current_app.config
    max_attempts = config["DELIVERY_MAX_ATTEMPTS"]
    max_age = timedelta(hours=config["DELIVERY_MAX_AGE_HOURS"])
    sent: list[int] = []
    with unit_of_work(session):
        for delivery_id, outcome in outcomes.items():
            _channel, endpoint_id, attempts, created_at = work[delivery_id]
            if outcome.delivered:
                sent.append(delivery_id)
                continue
            values: dict = {"claimed_by": None, "lease_until": None, "last_error": outcome.error}
            if outcome.permanent:
                values["status"] = "failed"
                summary.failed += 1
            elif gives_up(attempts, created_at, now, max_attempts, max_age):
                values["status"] = "gave_up"
                summary.gave_up.append(delivery_id)
                log.warning(
                    "delivery %s given up after %s attempts: %s",
                    delivery_id,
                    attempts,
                    outcome.error,
                )
            else:
                wait = retry_delay(attempts, outcome.retry_after)
                values |= {"status": "pending", "next_attempt_at": now + wait}
                summary.retrying += 1
            _update_held(session, [delivery_id], worker_id, values)
            if outcome.gone and endpoint_id is not None:
                _disable(session, endpoint_id, now)
        for start in range(0, len(sent), 1000):
            _update_held(
                session, sent[start : start + 1000], worker_id,
                {"status": "sent", "sent_at": now, "last_error": None, "claimed_by": None,
                 "lease_until": None},
            )  # fmt: skip
        summary.sent += len(sent)


def _update_held(session, ids: list[int], worker_id: str, values: dict) -> None:
    # Only the holder of the lease records; a worker whose lease ran out leaves it be.
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == worker_id)
        .values(**values)
    )


def _disable(session, endpoint_id: int, now: datetime) -> None:
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(
            enabled=False,
            disabled_reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.",
        )
    )
    log.warning("webhook endpoint %s disabled: the receiver answered 410", endpoint_id)


@dataclass(frozen=True)
class DeliveryPage:
    """One page of deliveries, newest first, and how many there are per status."""

    items: list[Delivery]
    total: int
    by_status: dict[str, int]


def list_deliveries(
    session: Session, actor: Actor, status: str | None = None, limit: int = 50, offset: int = 0
) -> DeliveryPage:
    """Return deliveries (newest first), optionally of one status, for managers and admins."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins see deliveries.")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"Choose a status among {', '.join(STATUSES)}.")
    counts = dict(
        session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    )
    stmt = select(Delivery)
    if status:
        stmt = stmt.where(Delivery.status == status)
    items = list(session.scalars(stmt.order_by(Delivery.id.desc()).limit(limit).offset(offset)))
    total = counts.get(status, 0) if status else sum(counts.values())
    return DeliveryPage(items, total, counts)


def retry_delivery(
    session: Session, actor: Actor, delivery_id: int, now: datetime | None = None
) -> Delivery:
    """Queue a failed or given-up delivery again, from its first attempt."""
    now = now or utcnow()
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins retry deliveries.")
    with unit_of_work(session):
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            raise NotFound("No such delivery.")
        if delivery.status not in ("failed", "gave_up"):
            raise ValidationFailed("Only a failed delivery can be retried.")
        delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
        delivery.created_at = now  # the give-up age counts from the retry
    return delivery
