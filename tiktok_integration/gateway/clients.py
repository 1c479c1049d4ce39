"""TikTok clients built from Django settings.

The client package is pure HTTP; this is where settings (hosts, keys, timeouts)
meet it. Pass ``on_call`` (e.g. ``gateway.attempts.attempt_recorder``) to audit
every request the client makes.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from django.conf import settings

from tiktok_integration.client import (
    CallRecord,
    TikTokClient,
    TikTokOAuthClient,
    build_session,
)

USER_AGENT = "Postdeck/0.1"


def _session() -> requests.Session:
    return build_session(
        user_agent=USER_AGENT,
        connect_timeout=settings.TIKTOK_CONNECT_TIMEOUT,
        read_timeout=settings.TIKTOK_READ_TIMEOUT,
    )


def _timeout() -> tuple[float, float]:
    return (settings.TIKTOK_CONNECT_TIMEOUT, settings.TIKTOK_READ_TIMEOUT)


def oauth_client(
    *, on_call: Callable[[CallRecord], None] | None = None
) -> TikTokOAuthClient:
    """The OAuth client (authorize URL, code exchange, refresh, revoke; §1) for
    the configured app, with a fresh session and the configured timeouts
    (``TIKTOK_CONNECT_TIMEOUT``/``TIKTOK_READ_TIMEOUT``, seconds)."""
    return TikTokOAuthClient(
        client_key=settings.TIKTOK_CLIENT_KEY,
        client_secret=settings.TIKTOK_CLIENT_SECRET,
        redirect_uri=settings.TIKTOK_REDIRECT_URI,
        authorize_url=settings.TIKTOK_AUTHORIZE_URL,
        api_base_url=settings.TIKTOK_API_BASE_URL,
        session=_session(),
        on_call=on_call,
        timeout=_timeout(),
    )


def upload_session() -> requests.Session:
    """A session to PUT every chunk of one upload through (§4.6): one kept-alive
    connection to the upload host instead of a new one per chunk. Close it when
    the upload ends (it is a context manager)."""
    return _session()


def api_client(
    *,
    on_call: Callable[[CallRecord], None] | None = None,
    session: requests.Session | None = None,
) -> TikTokClient:
    """The resource-API client (Display §3, Content Posting §4) against
    ``TIKTOK_API_BASE_URL``; chunk PUTs get ``TIKTOK_UPLOAD_READ_TIMEOUT``
    (seconds) to read TikTok's answer. ``session``: reuse one (``upload_session``)
    instead of a fresh one."""
    return TikTokClient(
        api_base_url=settings.TIKTOK_API_BASE_URL,
        session=session or _session(),
        on_call=on_call,
        timeout=_timeout(),
        upload_timeout=(
            settings.TIKTOK_CONNECT_TIMEOUT,
            settings.TIKTOK_UPLOAD_READ_TIMEOUT,
        ),
    )
