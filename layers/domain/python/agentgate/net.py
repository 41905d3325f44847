"""Outbound HTTP that cannot be pointed at the inside: SSRF-safe resolution and connection.

A webhook URL is checked when it is registered and again at every delivery: the host is
resolved, every address must be globally routable (not private, loopback, link-local, the
cloud metadata address, CGNAT, multicast, reserved or unspecified), and the request then
connects to the address that was checked, so a DNS answer that changes between the check
and the connection (DNS rebinding) cannot redirect it. ``allow_loopback_webhooks`` (a local
demo setting, off by default) admits loopback addresses only.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from agentgate.platform.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Link-local already covers 169.254.169.254; AWS's IPv6 metadata endpoint is a unique-local address.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class UnsafeURL(ValueError):
    """The URL is not an http(s) URL to a public address."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP address the connection goes to


def is_public(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return False
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not address.is_multicast


def resolve(url: str, *, allow_loopback: bool | None = None) -> Target:
    """The URL's target with a checked address; raises ``UnsafeURL`` naming the reason."""
    if allow_loopback is None:
        allow_loopback = get_settings().allow_loopback_webhooks
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURL("the URL must be http or https")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("the URL must not carry credentials")
    host = parts.hostname
    if not host:
        raise UnsafeURL("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("the URL's port is not valid") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"the host {host} does not resolve") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnsafeURL(f"the host {host} does not resolve")
    refused = sorted({str(a) for a in addresses if not is_public(a, allow_loopback=allow_loopback)})
    if refused:
        raise UnsafeURL(f"the host {host} resolves to a non-public address ({', '.join(refused)})")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=str(addresses[0]))


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address, verifying the certificate against the URL's host name (SNI too)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._target = target

    def connect(self) -> None:
        sock = socket.create_connection((self._target.address, self._target.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._target.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target, timeout)
    return http.client.HTTPConnection(target.address, target.port, timeout=timeout)


def get(target: Target, headers: dict[str, str], *, timeout: float = 5.0, max_bytes: int = 65536) -> Reply:
    """GET from the checked address (never re-resolving the name); redirects are not followed.

    The body is read up to ``max_bytes``; a longer one is refused rather than truncated.
    """
    connection = _connection(target, timeout)
    host_header = target.host if target.port in {80, 443} else f"{target.host}:{target.port}"
    try:
        connection.request("GET", target.path, headers={**headers, "Host": host_header})
        response = connection.getresponse()
        body = response.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise UnsafeURL(f"the response is larger than {max_bytes} bytes")
        return Reply(status=response.status, body=body)
    finally:
        connection.close()


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float = 10.0) -> Reply:
    """POST to the checked address (never re-resolving the name); redirects are not followed."""
    connection = _connection(target, timeout)
    host_header = target.host if target.port in {80, 443} else f"{target.host}:{target.port}"
    try:
        connection.request("POST", target.path, body=body, headers={**headers, "Host": host_header})
        response = connection.getresponse()
        return Reply(status=response.status, body=response.read(4096))
    finally:
        connection.close()
