"""The client address django-axes counts failed sign-ins against."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """The address a failed sign-in is counted against, as a string, or None.

    Without trusted proxies (``POSTDECK_TRUSTED_PROXY_COUNT`` 0) this is the TCP
    peer, ``REMOTE_ADDR``. Behind N trusted proxies it is the N-th address from
    the right of ``X-Forwarded-For``: each proxy appends the address it saw, so
    entries further left were written by the client and could be forged to
    escape the lock. A header with fewer entries than proxies falls back to the
    peer address.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = settings.POSTDECK_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return peer
    return forwarded[-proxies]
