"""One pass of the alert pipeline as the scheduler runs it each minute: dispatch, then deliver."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cstier.models.base import utcnow
from cstier.services.alerts_delivery.deliver import DeliverySummary, deliver_due
from cstier.services.alerts_delivery.dispatch import DispatchSummary, dispatch_events
from cstier.services.jobs.operators import tell_operators


@dataclass(frozen=True)
class AlertCycle:
    """What one pass dispatched and delivered."""

    dispatched: DispatchSummary
    delivered: DeliverySummary


def run_alert_cycle(session: Session, worker_id: str, now: datetime | None = None) -> AlertCycle:
    """Turn committed events into deliveries, send the due ones, and tell operators of give-ups."""
    now = now or utcnow()
    dispatched = dispatch_events(session, now)
    delivered = deliver_due(session, now, worker_id=worker_id)
    if delivered.gave_up:
        ids = ", ".join(str(i) for i in delivered.gave_up)
        tell_operators(
            session,
            f"cstier: {len(delivered.gave_up)} alert deliveries given up",
            f"These deliveries failed every attempt and were given up: {ids}.\n"
            "Retry them from Alerting > Deliveries once the target is reachable.",
        )
    return AlertCycle(dispatched, delivered)
