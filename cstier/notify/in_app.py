"""The in-app notification centre: the notification row is the delivery, nothing to send."""

from datetime import datetime

from cstier.notify.base import Channel, Outbound, Outcome, register


@register
class InAppChannel(Channel):
    """Show the alert in the user's notification centre, counted in the navbar's bell."""

    name = "in_app"
    label = "In the app"
    user_selectable = True

    def send(self, batch: list[Outbound], now: datetime) -> list[Outcome]:
        """Report every message delivered: the dispatcher stored it where the centre reads it."""
        return [Outcome(delivered=True) for _ in batch]
