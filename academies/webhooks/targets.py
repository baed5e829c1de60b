"""Webhook targets: https and public addresses only, checked again on every delivery; the pinned POST."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_RESPONSE_BYTES = 64 * 1024


class UnsafeTarget(Exception):
    """A webhook target this product does not call: not https, or an address that is not public."""


def _resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (a module function, so that tests can stand in for DNS)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _url_parts(url: str, *, allow_private: bool) -> tuple[Any, str, int]:
    """The URL's parts, host and port, once its scheme, credentials, host and port are allowed; raises UnsafeTarget."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeTarget(_("Webhook URLs use https://."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("A webhook URL carries no user name or password."))
    host = parts.hostname
    if not host:
        raise UnsafeTarget(_("The webhook URL names no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeTarget(_("The webhook URL has an invalid port.")) from error
    return parts, host, port


def _resolved_addresses(host: str, port: int, *, resolve: bool) -> list[str]:
    """The host's addresses. Without `resolve` (registration), a name that does not resolve yet has none."""
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as error:
        if resolve:
            raise UnsafeTarget(_("The webhook host does not resolve.")) from error
        return []
    if resolve and not addresses:
        raise UnsafeTarget(_("The webhook host does not resolve."))
    return addresses


def target_addresses(url: str, *, resolve: bool = True) -> tuple[Any, list[str]]:
    """The URL's parts and the addresses to connect to, each checked; raises UnsafeTarget.

    Without `resolve` (registration), a name that does not resolve yet passes: delivery checks it again.
    """
    allow_private = settings.EUMAM_WEBHOOKS_ALLOW_PRIVATE
    parts, host, port = _url_parts(url, allow_private=allow_private)
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    elif allow_private and not resolve:
        addresses = []  # any address is allowed: nothing to check before delivery
    else:
        addresses = _resolved_addresses(host, port, resolve=resolve)
    if not allow_private and not all(address_is_public(address) for address in addresses):
        raise UnsafeTarget(
            _("The webhook host resolves to a private, loopback or link-local address, which is not allowed.")
        )
    return parts, addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever DNS says by now; Host names the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS: the certificate is checked against the URL's host name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None) -> int:
    """POST `body` to `url` and return the status code. No redirect is followed (a 3xx is an answer like any
    other); at most MAX_RESPONSE_BYTES of the answer are read, within twice the timeout."""
    timeout = timeout if timeout is not None else settings.EUMAM_WEBHOOK_TIMEOUT_SECONDS
    parts, addresses = target_addresses(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=addresses[0], timeout=timeout)
    deadline = time.monotonic() + 2 * timeout
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        read = 0
        while read < MAX_RESPONSE_BYTES and time.monotonic() < deadline:
            chunk = response.read(min(8192, MAX_RESPONSE_BYTES - read))
            if not chunk:
                break
            read += len(chunk)
        return response.status
    finally:
        connection.close()
