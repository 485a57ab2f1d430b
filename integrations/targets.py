"""Where a webhook may be sent: http(s) URLs whose host resolves only to public addresses.

Every address the host resolves to is checked (one internal address is
enough to refuse), and the connection is then made to a checked address
itself, with the name kept for the Host header, SNI and certificate check: a
DNS answer that changes between the check and the connect (rebinding) cannot
point the request inside. ``WEBHOOKS_ALLOW_PRIVATE`` lifts the address rule
(development, tests); under pytest deliveries stay on loopback whatever a test
stored (``WEBHOOKS_LOOPBACK_ONLY``).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(ValueError):
    """The URL is not one webhooks may be sent to; the message says why, for the client."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (lowercase), for the Host header, SNI and the certificate
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # every address the host resolved to, all checked

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def is_internal(address: str) -> bool:
    """Private, loopback, link-local, reserved, shared, multicast or unspecified: anything not on the internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone index
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def parse_url(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget("url is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeTarget("url must start with http:// or https://")
    if not parts.hostname:
        raise UnsafeTarget("url must name a host")
    if parts.username or parts.password:
        raise UnsafeTarget("url must not contain a user name or password")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme], path


def resolve(url: str) -> Target:
    """Check ``url`` and resolve its host; raises ``UnsafeTarget`` with the reason."""
    scheme, host, port, path = parse_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"url's host {host} does not resolve") from exc
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeTarget(f"url's host {host} does not resolve")
    if not settings.WEBHOOKS_ALLOW_PRIVATE and any(is_internal(a) for a in addresses):
        raise UnsafeTarget("url must not point to a private, loopback, link-local or reserved address")
    return Target(scheme, host, port, path, addresses)


def delivery_address(target: Target) -> str:
    """The checked address to connect to."""
    if settings.WEBHOOKS_LOOPBACK_ONLY:
        loopback = [a for a in target.addresses if ipaddress.ip_address(a.split("%", 1)[0]).is_loopback]
        if not loopback:
            raise UnsafeTarget("only loopback targets are reached under the test suite")
        return loopback[0]
    return target.addresses[0]
