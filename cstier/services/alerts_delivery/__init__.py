"""Alerts that reach people: outbox → notifications and deliveries → channels, and digests."""

from cstier.services.alerts_delivery.deliver import deliver_due
from cstier.services.alerts_delivery.digests import send_digests
from cstier.services.alerts_delivery.dispatch import dispatch_events

__all__ = ["deliver_due", "dispatch_events", "send_digests"]
