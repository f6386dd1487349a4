"""The email channel: rendered messages sent over one SMTP connection per batch."""

from datetime import datetime

from cstier.notify.base import Channel, Outbound, Outcome, register
from cstier.notify.email import Email, send_each


@register
class EmailChannel(Channel):
    """Mail alerts and digests (text and HTML bodies rendered when they were dispatched)."""

    name = "email"
    label = "Email"
    user_selectable = True

    def send(self, batch: list[Outbound], now: datetime) -> list[Outcome]:
        """Send the batch; a refused recipient fails for good, a down server is retried."""
        emails = [
            Email(
                to=(item.target,),
                subject=item.payload["subject"],
                text=item.payload["text"],
                html=item.payload.get("html"),
            )
            for item in batch
        ]
        return [
            Outcome(delivered=True)
            if error is None
            else Outcome(delivered=False, error=str(error)[:500], permanent=permanent)
            for error, permanent in send_each(emails)
        ]
