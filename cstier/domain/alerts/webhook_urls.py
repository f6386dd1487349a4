"""Which webhook URLs and addresses cstier may call: public http(s), or what the operator allows."""

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(ValueError):
    """A webhook URL cstier refuses to call, with what to fix."""


def parse_webhook_url(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of an acceptable URL; raise UnsafeUrl saying what to fix."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("Enter a valid URL, such as https://hooks.example.com/cstier.") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("The URL must start with http:// or https://.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl(
            "Remove the user name and password from the URL; the signature authenticates."
        )
    if not parts.hostname:
        raise UnsafeUrl("The URL needs a host name.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def allowed_networks(entries: Iterable[str]) -> tuple[list[str], list]:
    """Split the allow-list into host names and networks (CIDRs or single addresses)."""
    hosts, networks = [], []
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.append(entry.lower())
    return hosts, networks


def address_allowed(host: str, address: str, allow_list: Iterable[str]) -> bool:
    """Return whether cstier may connect to this resolved address of the host.

    Public addresses are fine; private, loopback, link-local, reserved and multicast ones
    only when the operator's allow-list names the host or a network holding the address.
    """
    ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    hosts, networks = allowed_networks(allow_list)
    if host.lower() in hosts or any(ip in network for network in networks):
        return True
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)
