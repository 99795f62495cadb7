"""Keep feed fetches on the public internet (a guard against server-side request forgery).

Organizers type feed addresses and the bot fetches them from inside whatever network
it runs in. Unguarded, `/resource feed-add http://169.254.169.254/…` would read a cloud
machine's credentials, and the error texts would map an intranet port by port.

So every connection a feed fetch opens goes through `GuardedConnector`, which checks
each address it is about to connect to: after DNS (a name that resolves, or later
re-resolves, to 10.0.0.1 is caught) and for IP literals too (aiohttp never sends those
through a resolver), on the first request and on every redirect (each one connects
again). The socket factory checks the same addresses once more, just before
`connect()`, so a change inside aiohttp cannot quietly skip the first check. Proxies
from the environment are never used (`trust_env=False`), so nothing routes around it.

Refused: loopback, private, link-local, shared (CGNAT, 100.64.0.0/10), multicast,
reserved and unspecified addresses, IPv4 and IPv6 alike, and IPv4 carried inside IPv6
(IPv4-mapped, NAT64, 6to4, Teredo) is judged by the IPv4 address it reaches. Odd
numeric hosts such as `0x7f000001` resolve to 127.0.0.1, so the resolved check
catches them; aiohttp itself refuses `2130706433` and `127.1` as not canonical.

A self-hoster whose feeds live on an intranet sets FEEDS_ALLOW_PRIVATE_NETWORKS=true:
then loopback, private and shared addresses are allowed, and link-local (the cloud
metadata service), multicast, reserved and unspecified ones still are not.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

import aiohttp
from aiohttp.abc import ResolveResult

log = logging.getLogger(__name__)

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# What FEEDS_ALLOW_PRIVATE_NETWORKS lets through: addresses an intranet feed can have.
INTRANET_KINDS = frozenset({"loopback", "private", "shared"})

_THIS_NETWORK = ip_network("0.0.0.0/8")
_SHARED = ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ip_network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052): reaches IPv4


def address_kind(address: str | IPAddress, extra_public: Sequence[IPNetwork] = ()) -> str | None:
    """None for a public unicast address; else what kind of address it is: 'unspecified',
    'loopback', 'link-local', 'multicast', 'reserved', 'shared', 'private' or
    'non-public'. `extra_public` networks count as public (tests only). A string
    that is not an IP address is 'reserved' (never connect to what we can't judge)."""
    if isinstance(address, str):
        try:
            ip: IPAddress = ip_address(address)
        except ValueError:
            return "reserved"
    else:
        ip = address
    if any(ip in net for net in extra_public if net.version == ip.version):
        return None
    if isinstance(ip, IPv6Address):
        if ip.ipv4_mapped is not None:
            return address_kind(ip.ipv4_mapped, extra_public)
        if ip in _NAT64:
            return address_kind(IPv4Address(int(ip) & 0xFFFFFFFF), extra_public)
        carried = [ip.sixtofour, *(ip.teredo or ())]
        for inner in carried:
            if inner is not None and (kind := address_kind(inner, extra_public)):
                return kind
    return _flags_kind(ip)


def _flags_kind(ip: IPAddress) -> str | None:
    if ip.is_unspecified or ip in _THIS_NETWORK:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip in _SHARED:
        return "shared"
    if ip.is_private or getattr(ip, "is_site_local", False):
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


class BlockedAddress(aiohttp.ClientConnectionError):
    """A fetch would connect to an address feeds may not use. `kind` says which sort
    (see address_kind); the address itself is only logged, never shown."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"refused to connect to a forbidden ({kind}) address")
        self.kind = kind


class BlockedSocket(OSError):
    """The socket factory's refusal (aiohttp wraps OSErrors in ClientConnectorError)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"refused to connect to a forbidden ({kind}) address")
        self.kind = kind


class AddressPolicy:
    """Which addresses a fetch may connect to."""

    def __init__(
        self, *, allow_private_networks: bool = False, extra_public: Iterable[IPNetwork] = ()
    ) -> None:
        self.allow_private_networks = allow_private_networks
        self.extra_public = tuple(extra_public)

    def refusal(self, address: str | IPAddress) -> str | None:
        """The kind of a forbidden address, or None when it may be used."""
        kind = address_kind(address, self.extra_public)
        if kind is None or (self.allow_private_networks and kind in INTRANET_KINDS):
            return None
        return kind


class GuardedConnector(aiohttp.TCPConnector):
    """A TCPConnector that connects only to addresses its policy allows (see the module
    docstring). Every other TCPConnector option (resolver, use_dns_cache, …) passes on."""

    def __init__(self, *, policy: AddressPolicy | None = None, **kwargs: Any) -> None:
        self.policy = policy or AddressPolicy()
        kwargs.setdefault("socket_factory", self._socket)
        super().__init__(**kwargs)

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[Any] | None = None
    ) -> list[ResolveResult]:
        resolved = await super()._resolve_host(host, port, traces=traces)
        for entry in resolved:
            kind = self.policy.refusal(entry["host"])
            if kind is not None:
                log.warning(
                    "feed fetch refused: %s resolves to a forbidden (%s) address", host, kind
                )
                raise BlockedAddress(kind)
        return resolved

    def _socket(self, addr_info: Any) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        kind = self.policy.refusal(str(sockaddr[0]))
        if kind is not None:
            log.warning("feed fetch refused at connect: a forbidden (%s) address", kind)
            raise BlockedSocket(kind)
        return socket.socket(family=family, type=type_, proto=proto)
