"""Receiving TikTok webhooks: verify, store each event once, apply it later.

Delivery is at least once for up to 72 hours, so every event is stored under a
key derived from its content and a duplicate is answered 200 and ignored.
A webhook only ever moves state forward or prompts a status check; it never
starts a publish.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tiktok_integration.client import (
    WebhookPayloadError,
    WebhookSignatureError,
    parse_event,
    verify_signature,
)
from tiktok_integration.models import TikTokAccount, WebhookEvent

logger = logging.getLogger(__name__)

AUTHORIZATION_REMOVED = "authorization.removed"
REMOVAL_REASONS = {
    0: "TikTok removed Postdeck's access (no reason given)",
    1: "the creator disconnected Postdeck in the TikTok app",
    2: "the TikTok account was deleted",
    3: "the account holder's age changed",
    4: "the TikTok account was banned",
    5: "access was withdrawn on Postdeck's side",
}
SIGNATURE_TOLERANCE_SECONDS = 300


class WebhookRejectedError(Exception):
    """The request is not a genuine, readable TikTok webhook."""


def webhook_receive(
    *, raw_body: bytes, signature_header: str | None
) -> WebhookEvent | None:
    """Verify and store a webhook; returns the new event, or None for a duplicate.

    Raises ``WebhookRejectedError`` for a missing, wrong or stale signature or an
    unreadable body; nothing is stored then.
    """
    try:
        verify_signature(
            client_secret=settings.TIKTOK_CLIENT_SECRET,
            header=signature_header,
            raw_body=raw_body,
            now=time.time(),
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
        event = parse_event(raw_body)
    except (WebhookSignatureError, WebhookPayloadError) as error:
        raise WebhookRejectedError(str(error)) from error
    dedup_key = hashlib.sha256(
        b"|".join(
            [
                event.event.encode(),
                event.user_openid.encode(),
                str(event.create_time).encode(),
                hashlib.sha256(raw_body).hexdigest().encode(),
            ]
        )
    ).hexdigest()
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                dedup_key=dedup_key,
                event=event.event,
                user_openid=event.user_openid,
                create_time=datetime.fromtimestamp(event.create_time, tz=UTC),
                content=event.content,
            )
    except IntegrityError:
        return None
    return stored


EventHandler = Callable[[WebhookEvent], str]
_HANDLERS: dict[str, EventHandler] = {}


def register_webhook_handler(event: str) -> Callable[[EventHandler], EventHandler]:
    """Let another module (e.g. publishing) apply an event; returns the decorator."""

    def decorator(handler: EventHandler) -> EventHandler:
        _HANDLERS[event] = handler
        return handler

    return decorator


def webhook_event_apply(*, event_id: int) -> None:
    """Apply a stored event once; events nobody handles are marked ignored."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.outcome != WebhookEvent.Outcome.PENDING:
            return
        handler = _HANDLERS.get(event.event)
        if handler is None:
            event.outcome = WebhookEvent.Outcome.IGNORED
            event.note = "Postdeck does not act on this event."
        else:
            event.note = handler(event)[:300]
            event.outcome = WebhookEvent.Outcome.APPLIED
        event.applied_at = timezone.now()
        event.save(update_fields=["outcome", "note", "applied_at"])


@register_webhook_handler(AUTHORIZATION_REMOVED)
def _authorization_removed(event: WebhookEvent) -> str:
    from tiktok_integration.services.tokens import tiktok_account_mark_reauth_required

    account = TikTokAccount.objects.filter(open_id=event.user_openid).first()
    if account is None:
        return "No connected account has this open id."
    code = event.content.get("reason")
    why = REMOVAL_REASONS.get(code if isinstance(code, int) else 0, REMOVAL_REASONS[0])
    tiktok_account_mark_reauth_required(
        account_id=account.pk,
        reason=f"TikTok reported that {why}; reconnect the account to keep publishing.",
    )
    return f"Account {account.pk} marked reconnect needed."
