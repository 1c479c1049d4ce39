"""Builds TikTok clients from settings and records every call they make.

The client package is pure HTTP; this is where Django settings and the
PublishAttempt audit trail meet it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import requests
from django.conf import settings
from django.utils import timezone

from tiktok_integration.client import (
    CallRecord,
    TikTokClient,
    TikTokOAuthClient,
    build_session,
)
from tiktok_integration.models import PublishAttempt

logger = logging.getLogger(__name__)
USER_AGENT = "Postdeck/0.1"


def attempt_recorder(
    *,
    account_id: int | None = None,
    job_id: int | None = None,
    lease_version: int | None = None,
) -> Callable[[CallRecord], None]:
    """An ``on_call`` hook that writes one PublishAttempt row per external call."""

    def record(call: CallRecord) -> None:
        PublishAttempt.objects.create(
            job_id=job_id,
            account_id=account_id,
            endpoint=call.endpoint,
            http_method=call.method,
            http_status=call.http_status,
            tiktok_code=call.code[:80],
            log_id=call.log_id[:80],
            error_class=(call.error_class or "")[:40],
            duration_ms=call.duration_ms,
            lease_version=lease_version,
            started_at=timezone.now(),
        )

    return record


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


def api_client(*, on_call: Callable[[CallRecord], None] | None = None) -> TikTokClient:
    return TikTokClient(
        api_base_url=settings.TIKTOK_API_BASE_URL,
        session=_session(),
        on_call=on_call,
        timeout=_timeout(),
        upload_timeout=(
            settings.TIKTOK_CONNECT_TIMEOUT,
            settings.TIKTOK_UPLOAD_READ_TIMEOUT,
        ),
    )
