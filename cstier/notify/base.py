"""Channels are plugins: a small base class and a registry; a new channel is a new module."""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar


@dataclass(frozen=True)
class Outbound:
    """One delivery as a channel sends it; `message_id` is the same on every retry."""

    delivery_id: int
    target: str
    message_id: str
    payload: dict
    secret: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What came of one send: delivered, or why not and whether to try again."""

    delivered: bool
    error: str | None = None
    retry_after: float | None = None  # seconds the receiver asked us to wait
    permanent: bool = False  # retrying cannot help
    gone: bool = False  # the receiver says the endpoint is gone for good (410)


class Channel:
    """Send a batch of outbound messages and say what came of each, in order."""

    name: ClassVar[str]
    label: ClassVar[str]
    user_selectable: ClassVar[bool] = False  # offered on a user's subscriptions

    def send(self, batch: list[Outbound], now: datetime) -> list[Outcome]:
        """Send every message of the batch; never raise for one message's failure."""
        raise NotImplementedError


CHANNELS: dict[str, type[Channel]] = {}


def register(channel: type[Channel]) -> type[Channel]:
    """Make a channel known by its name (a class decorator)."""
    CHANNELS[channel.name] = channel
    return channel


def user_channels() -> dict[str, str]:
    """Return the channels a user may pick for a subscription, name to label."""
    from cstier.notify import email_channel, in_app, webhook  # noqa: F401  (register them)

    return {name: c.label for name, c in CHANNELS.items() if c.user_selectable}
