"""Signed webhooks to the app's callback URL (docs/tiktok.md §9).

Events are rows first (one per event, by key) and are sent by
``sandbox_webhooks_deliver``, which the advance task runs: a web request never
waits on a POST to Postdeck itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta
from typing import Any, Final

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tiktok_sandbox.models import (
    SandboxCreator,
    SandboxPublish,
    SandboxWebhookDelivery,
)
from tiktok_sandbox.services.defaults import sandbox_settings_get

logger = logging.getLogger(__name__)

PUBLISH_COMPLETE: Final = "post.publish.complete"
PUBLISH_FAILED: Final = "post.publish.failed"
INBOX_DELIVERED: Final = "post.publish.inbox_delivered"
# The current docs' spelling (docs/tiktok.md §9); the client accepts every variant.
PUBLICLY_AVAILABLE: Final = "post.publish.publicly_available"
AUTHORIZATION_REMOVED: Final = "authorization.removed"

RETRY_WINDOW: Final = timedelta(hours=72)
CLAIM_SECONDS: Final = 60
FIRST_RETRY_SECONDS: Final = 30
MAX_RETRY_SECONDS: Final = 3600
DELIVERY_TIMEOUT: Final = (3.05, 10.0)
DELIVERIES_PER_RUN: Final = 50


def sign(*, client_secret: str, raw_body: bytes, timestamp: int) -> str:
    """``TikTok-Signature: t=<ts>,s=<hex HMAC-SHA256(secret, "<ts>.<body>")>``."""
    payload = f"{timestamp}.".encode() + raw_body
    digest = hmac.new(client_secret.encode(), payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def sandbox_webhook_enqueue(
    *,
    event: str,
    creator: SandboxCreator,
    content: dict[str, Any],
    dedupe_key: str,
    publish: SandboxPublish | None = None,
    now: datetime | None = None,
) -> SandboxWebhookDelivery | None:
    """Record an event for delivery, once per ``dedupe_key``.

    Returns None when webhooks are off or the event was already recorded.
    """
    if not sandbox_settings_get().webhooks_enabled:
        return None
    now = now or timezone.now()
    envelope = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "event": event,
        "create_time": int(now.timestamp()),
        "user_openid": creator.open_id,
        # content is a JSON *string* inside the JSON body.
        "content": json.dumps(content, separators=(",", ":")),
    }
    try:
        with transaction.atomic():
            return SandboxWebhookDelivery.objects.create(
                event=event,
                dedupe_key=dedupe_key,
                creator=creator,
                publish=publish,
                body=json.dumps(envelope, separators=(",", ":")),
                created_at=now,
                next_attempt_at=now,
            )
    except IntegrityError:
        return None


def webhook_target_url() -> str:
    return sandbox_settings_get().webhook_url or f"{settings.BASE_URL}/tiktok/webhook/"


def sandbox_webhooks_deliver(
    *, now: datetime | None = None, limit: int = DELIVERIES_PER_RUN
) -> int:
    """Send due deliveries; failures retry with backoff for 72 h. Returns how
    many were delivered. Each row is claimed first so two workers never send
    the same event at once."""
    now = now or timezone.now()
    due = list(
        SandboxWebhookDelivery.objects.filter(
            delivered_at__isnull=True,
            abandoned_at__isnull=True,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    delivered = 0
    for pk, next_attempt_at in due:
        claimed = SandboxWebhookDelivery.objects.filter(
            pk=pk, delivered_at__isnull=True, next_attempt_at=next_attempt_at
        ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        if claimed != 1:
            continue
        delivery = SandboxWebhookDelivery.objects.get(pk=pk)
        delivered += _attempt(delivery=delivery, now=now)
    return delivered


def sandbox_webhook_redeliver(
    *, delivery: SandboxWebhookDelivery, now: datetime | None = None
) -> bool:
    """Send an event again with the same body, as TikTok's at-least-once
    delivery may. Returns whether the receiver answered 2xx."""
    return bool(_attempt(delivery=delivery, now=now or timezone.now()))


def _attempt(*, delivery: SandboxWebhookDelivery, now: datetime) -> int:
    raw_body = delivery.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "TikTok-Signature": sign(
            client_secret=settings.TIKTOK_CLIENT_SECRET,
            raw_body=raw_body,
            timestamp=int(timezone.now().timestamp()),
        ),
    }
    status: int | None = None
    error = ""
    try:
        response = requests.post(
            webhook_target_url(),
            data=raw_body,
            headers=headers,
            timeout=DELIVERY_TIMEOUT,
            allow_redirects=False,
        )
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except requests.RequestException as exc:
        error = type(exc).__name__
    attempts = delivery.attempt_count + 1
    fields: dict[str, Any] = {
        "attempt_count": attempts,
        "last_http_status": status,
        "last_error": error[:300],
    }
    if not error:
        fields["delivered_at"] = now
    elif now - delivery.created_at >= RETRY_WINDOW:
        fields["abandoned_at"] = now
    else:
        backoff = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS)
        fields["next_attempt_at"] = now + timedelta(seconds=backoff)
        logger.info(
            "Sandbox webhook %s not delivered (%s); retrying in %s s",
            delivery.event,
            error,
            backoff,
        )
    SandboxWebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return 0 if error else 1
