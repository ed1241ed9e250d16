"""Who is at the other end of a request: the peer's address, read through proxies that are
configured as trusted and through no other.

``X-Forwarded-For`` is a list any client can write. Only when the direct peer is a trusted
proxy is the header read, from the right, skipping further trusted proxies; the first
address that is not one is the client. From any other peer the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip()]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(connection: HTTPConnection, trusted: Sequence[Network]) -> str:
    """The client's address: the peer's, or, behind trusted proxies, the forwarded one."""
    peer = connection.client.host if connection.client else "-"
    if not _trusted(peer, trusted):
        return peer
    forwarded = [
        part.strip()
        for header in connection.headers.getlist("x-forwarded-for")
        for part in header.split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if not _trusted(address, trusted):
            return address
    return forwarded[0] if forwarded else peer
