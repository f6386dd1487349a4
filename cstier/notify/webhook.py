"""The webhook channel: signed POSTs (Standard Webhooks) to the address that was checked.

The host is resolved once per send, every address is checked, and the connection goes to
that checked address (the Host header and TLS name stay the URL's), so a name that
resolves elsewhere a moment later (DNS rebinding) cannot reach a private network.
"""

import http.client
import socket
import ssl
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import urlsplit

from cstier.domain.alerts.backoff import parse_retry_after
from cstier.domain.alerts.signing import sign
from cstier.domain.alerts.webhook_urls import UnsafeUrl, address_allowed, parse_webhook_url
from cstier.notify.base import Channel, Outbound, Outcome, register

Resolver = Callable[[str, int], list[str]]
PARALLEL_SENDS = 8


def resolve(host: str, port: int) -> list[str]:
    """Return every address the host name resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_address(url: str, resolver: Resolver, allow_list: Iterable[str]) -> str:
    """Resolve the URL's host and return an address to connect to; raise UnsafeUrl if any is refused."""
    _, host, port = parse_webhook_url(url)
    try:
        addresses = resolver(host, port)
    except OSError as exc:
        raise UnsafeUrl(f"The host {host} does not resolve: {exc}.") from exc
    if not addresses:
        raise UnsafeUrl(f"The host {host} does not resolve.")
    allow = list(allow_list)
    refused = [a for a in addresses if not address_allowed(host, a, allow)]
    if refused:
        raise UnsafeUrl(
            f"{host} resolves to {refused[0]}, a private, loopback, link-local or reserved "
            "address; ask an admin to add it to CSTIER_WEBHOOK_ALLOWED_HOSTS if it is yours."
        )
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@register
class WebhookChannel(Channel):
    """POST a signed JSON body to an endpoint; 2xx delivered, 410 gone, others retried."""

    name = "webhook"
    label = "Webhook"

    def __init__(
        self,
        resolver: Resolver = resolve,
        allow_list: Iterable[str] = (),
        timeout: float = 5.0,
    ):
        self.resolver = resolver
        self.allow_list = list(allow_list)
        self.timeout = timeout

    def send(self, batch: list[Outbound], now: datetime) -> list[Outcome]:
        """Send the batch a few at a time; each message gets its own outcome."""
        if len(batch) <= 1:
            return [self.send_one(item, now) for item in batch]
        with ThreadPoolExecutor(min(PARALLEL_SENDS, len(batch))) as pool:
            return list(pool.map(lambda item: self.send_one(item, now), batch))

    def send_one(self, item: Outbound, now: datetime) -> Outcome:
        """Check, sign and POST one message."""
        try:
            address = checked_address(item.target, self.resolver, self.allow_list)
        except UnsafeUrl as exc:
            return Outcome(delivered=False, error=str(exc), permanent=True)
        body = item.payload["body"].encode()
        timestamp = int(now.timestamp())
        headers = {
            "content-type": "application/json",
            "user-agent": "cstier-webhooks",
            "webhook-id": item.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(item.secret or "", item.message_id, timestamp, body),
        }
        parts = urlsplit(item.target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        _, host, port = parse_webhook_url(item.target)
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address, self.timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(65536)
            status, retry_after = response.status, response.getheader("retry-after")
        except (OSError, http.client.HTTPException) as exc:
            return Outcome(delivered=False, error=f"{type(exc).__name__}: {exc}"[:500])
        finally:
            connection.close()
        if 200 <= status < 300:
            return Outcome(delivered=True)
        return Outcome(
            delivered=False,
            error=f"HTTP {status}",
            retry_after=parse_retry_after(retry_after, now),
            gone=status == 410,
            permanent=status == 410,
        )
