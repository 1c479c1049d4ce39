"""Download a media file from an https URL without letting the URL reach inside.

The rules (docs/reliability.md §9): https only, on port 443, no credentials in
the URL; every A/AAAA record of the host must be a global address (IPv4-mapped
IPv6 unwrapped first); the connection goes to the address that was checked, with
SNI and Host set to the name, so a second DNS answer cannot move it; at most
three redirects, each checked like the first; a byte cap and an overall
deadline. The content type is sniffed from the bytes afterwards, never taken
from the headers.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import ssl
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
READ_BLOCK_SIZE = 1024 * 1024
# Per socket operation; the whole download is bounded by the overall deadline.
SOCKET_TIMEOUT_SECONDS = 30.0
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "Postdeck media import"


class UrlRefusedError(Exception):
    """The URL is not fetched (or not finished); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    final_url: str
    filename: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    host: str
    port: int
    target: str


def resolve_host(host: str, port: int) -> list[str]:
    """Every address DNS gives for ``host`` (a seam the tests replace)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def open_connection(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly this address (a seam the tests replace)."""
    return socket.create_connection((address, port), timeout=timeout)


def _connect_any(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """The first of the checked addresses that answers, like a browser does."""
    last_error: OSError | None = None
    for address in addresses:
        try:
            return open_connection(address, port, timeout)
        except OSError as error:
            last_error = error
    raise last_error or OSError("no address to connect to")


def check_url(url: str) -> CheckedUrl:
    """Scheme, credentials and port of ``url``, or ``UrlRefusedError``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefusedError(f"{url!r} is not a valid URL.") from error
    if parts.scheme.lower() != "https":
        raise UrlRefusedError(
            f"Only https:// URLs can be imported; {parts.scheme or 'no'}:// is not "
            "allowed."
        )
    if parts.username is not None or parts.password is not None:
        raise UrlRefusedError(
            "The URL contains a user name or password; import from a URL without "
            "credentials."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlRefusedError(f"{url!r} names no host.")
    port = port or 443
    if port not in _allowed_ports():
        raise UrlRefusedError(
            f"Only the standard https port 443 is allowed, not port {port}."
        )
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return CheckedUrl(host=host, port=port, target=target)


def public_addresses_of(host: str, port: int) -> list[str]:
    """The addresses to connect to, after checking every address the host has."""
    trusted = host.lower() in {
        name.lower() for name in settings.MEDIA_IMPORT_TRUSTED_HOSTS
    }
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = resolve_host(host, port)
        except (OSError, UnicodeError) as error:
            raise UrlRefusedError(f"The host {host} could not be resolved.") from error
    if not addresses:
        raise UrlRefusedError(f"The host {host} has no address.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global and not trusted:
            raise UrlRefusedError(
                f"{host} resolves to {ip}, which is a private, loopback or otherwise "
                "internal address; media can only be imported from public servers."
            )
    return addresses


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with certificate and Host checked for ``host``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: list[str],
        context: ssl.SSLContext,
        timeout: float,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls_context = context
        self._timeout_seconds = timeout

    def connect(self) -> None:
        raw = _connect_any(self._addresses, self.port, self._timeout_seconds)
        self.sock = self._tls_context.wrap_socket(raw, server_hostname=self.host)


def download(url: str, *, directory: str | None = None) -> Download:
    """Fetch ``url`` into a new temporary file; the caller deletes ``path``.

    Raises ``UrlRefusedError`` for a URL that is not allowed, an answer that is
    not a 200, a file over ``MEDIA_MAX_FILE_BYTES`` or a download that runs past
    ``MEDIA_IMPORT_URL_TIMEOUT_SECONDS``; nothing is left on disk then.
    """
    deadline = time.monotonic() + settings.MEDIA_IMPORT_URL_TIMEOUT_SECONDS
    context = ssl.create_default_context(cafile=settings.MEDIA_IMPORT_CA_FILE)
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        checked = check_url(current)
        addresses = public_addresses_of(checked.host, checked.port)
        connection = _PinnedHTTPSConnection(
            checked.host,
            checked.port,
            addresses=addresses,
            context=context,
            timeout=_remaining(deadline),
        )
        try:
            try:
                connection.request(
                    "GET",
                    checked.target,
                    headers={
                        "User-Agent": USER_AGENT,
                        "Accept": "*/*",
                        "Accept-Encoding": "identity",
                    },
                )
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                raise UrlRefusedError(f"Could not fetch {current}: {error}.") from error
            if response.status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise UrlRefusedError(
                        f"{current} redirects without saying where to."
                    )
                current = urljoin(current, location)
                continue
            if response.status != http.HTTPStatus.OK:
                raise UrlRefusedError(
                    f"The server answered HTTP {response.status} for {current}."
                )
            return _save_body(response, current, deadline, directory)
        finally:
            connection.close()
    raise UrlRefusedError(
        f"{url} redirects more than {MAX_REDIRECTS} times; use the final URL."
    )


def _save_body(
    response: http.client.HTTPResponse,
    url: str,
    deadline: float,
    directory: str | None,
) -> Download:
    max_bytes = settings.MEDIA_MAX_FILE_BYTES
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise UrlRefusedError(
            f"{url} is {int(declared):,} bytes, more than the library's limit of "
            f"{max_bytes:,}."
        )
    descriptor, name = tempfile.mkstemp(prefix="postdeck-download-", dir=directory)
    path = Path(name)
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            while True:
                if time.monotonic() > deadline:
                    raise UrlRefusedError(
                        f"Downloading {url} took longer than "
                        f"{settings.MEDIA_IMPORT_URL_TIMEOUT_SECONDS} seconds."
                    )
                try:
                    block = response.read(READ_BLOCK_SIZE)
                except (OSError, http.client.HTTPException) as error:
                    raise UrlRefusedError(
                        f"The download of {url} broke off: {error}."
                    ) from error
                if not block:
                    break
                size += len(block)
                if size > max_bytes:
                    raise UrlRefusedError(
                        f"{url} is larger than the library's limit of {max_bytes:,} "
                        "bytes."
                    )
                handle.write(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Download(
        path=path, final_url=url, filename=filename_of(url), size_bytes=size
    )


def filename_of(url: str) -> str:
    """A display name from the URL's last path segment, safe to show."""
    segment = PurePosixPath(unquote(urlsplit(url).path)).name
    cleaned = re.sub(r"[^\w.\- ]+", "_", segment).strip(" .")
    return cleaned[:200] or "download"


def _allowed_ports() -> set[int]:
    return set(settings.MEDIA_IMPORT_ALLOWED_PORTS)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise UrlRefusedError("The download ran out of time.")
    return min(SOCKET_TIMEOUT_SECONDS, left)


def redirect_location(url: str) -> str:
    """Where ``url`` redirects to (a short link's target), read from one GET
    under the same rules as ``download``: https on 443, every address public,
    the connection pinned to the checked address; the body is not read.

    Returns "" when the answer is not a redirect. Raises ``UrlRefusedError``
    for a URL that is not allowed or a server that cannot be reached.
    """
    checked = check_url(url)
    addresses = public_addresses_of(checked.host, checked.port)
    context = ssl.create_default_context(cafile=settings.MEDIA_IMPORT_CA_FILE)
    connection = _PinnedHTTPSConnection(
        checked.host,
        checked.port,
        addresses=addresses,
        context=context,
        timeout=SOCKET_TIMEOUT_SECONDS,
    )
    try:
        try:
            connection.request(
                "GET",
                checked.target,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            )
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            raise UrlRefusedError(f"Could not fetch {url}: {error}.") from error
        if response.status not in REDIRECT_STATUSES:
            return ""
        return urljoin(url, response.getheader("Location") or "")
    finally:
        connection.close()
