"""Verify and parse TikTok webhooks (docs/tiktok.md §9).

The caller reads the ``TikTok-Signature`` header (names are case-insensitive) and
the raw body bytes, verifies them here, and only then parses the event into a
WebhookEvent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

PUBLISH_FAILED: Final = "post.publish.failed"
PUBLISH_COMPLETE: Final = "post.publish.complete"
INBOX_DELIVERED: Final = "post.publish.inbox_delivered"
PUBLICLY_AVAILABLE: Final = "post.publish.publicly_available"
NO_LONGER_PUBLICLY_AVAILABLE: Final = "post.publish.no_longer_publicly_available"
AUTHORIZATION_REMOVED: Final = "authorization.removed"

# TikTok's spelling drifted between doc versions; accept every variant seen.
_EVENT_ALIASES: Final[Mapping[str, str]] = {
    "post.publish.publicaly_available": PUBLICLY_AVAILABLE,
    "post.publish.no_longer_publicaly_available": NO_LONGER_PUBLICLY_AVAILABLE,
}

DEFAULT_TOLERANCE_SECONDS: Final = 300
# A create_time above this is in milliseconds (10**11 seconds is the year 5138).
_MILLISECONDS_THRESHOLD: Final = 10**11


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook. ``event`` is normalised; ``raw_event`` is as received."""

    client_key: str
    event: str
    raw_event: str
    create_time: int
    user_openid: str
    content: dict[str, Any] = field(hash=False)

    @property
    def publish_id(self) -> str | None:
        value = self.content.get("publish_id")
        return value if isinstance(value, str) else None

    @property
    def reason(self) -> str | int | None:
        """``post.publish.failed``: a fail_reason; ``authorization.removed``: int."""
        value = self.content.get("reason")
        return value if isinstance(value, str | int) else None


class WebhookSignatureError(Exception):
    """The request is not a genuine, fresh TikTok webhook; answer 400 or 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WebhookPayloadError(ValueError):
    """A verified body that is not a webhook envelope we can read."""


def _signature_hex(client_secret: str, raw_body: bytes, timestamp: str) -> str:
    signed_payload = f"{timestamp}.".encode() + raw_body
    return hmac.new(client_secret.encode(), signed_payload, hashlib.sha256).hexdigest()


def sign(client_secret: str, raw_body: bytes, timestamp: int) -> str:
    """A ``TikTok-Signature`` header value, for the sandbox and tests."""
    signature = _signature_hex(client_secret, raw_body, str(timestamp))
    return f"t={timestamp},s={signature}"


def _parse_header(header: str) -> tuple[str, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        key, separator, value = part.partition("=")
        if not separator:
            continue
        key, value = key.strip(), value.strip()
        if key == "t":
            timestamps.append(value)
        elif key == "s" and value:
            signatures.append(value.lower())
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        raise WebhookSignatureError("The signature header needs exactly one numeric t.")
    if not signatures:
        raise WebhookSignatureError("The signature header has no s value.")
    return timestamps[0], signatures


def verify_signature(
    *,
    client_secret: str,
    header: str | None,
    raw_body: bytes,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Check the HMAC-SHA256 of ``t.raw_body`` and that ``t`` is within
    ``tolerance`` seconds of ``now``. Raises WebhookSignatureError otherwise."""
    if not client_secret:
        raise WebhookSignatureError("No client secret is configured.")
    if not header:
        raise WebhookSignatureError("The signature header is missing.")
    timestamp, signatures = _parse_header(header)
    expected = _signature_hex(client_secret, raw_body, timestamp)
    # Compare against every candidate so timing does not reveal which one matched.
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise WebhookSignatureError("No signature matches the body.")
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookSignatureError("The signature timestamp is outside the tolerance.")


def normalise_event_name(event: str) -> str:
    return _EVENT_ALIASES.get(event, event)


def _content(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            raise WebhookPayloadError("'content' is not valid JSON.") from None
        if isinstance(parsed, dict):
            return parsed
    raise WebhookPayloadError("'content' should be a JSON object in a string.")


def parse_event(raw_body: bytes) -> WebhookEvent:
    """Parse a verified body. ``content`` arrives as a JSON string and is decoded;
    ``create_time`` in milliseconds is turned into seconds. Raises
    WebhookPayloadError when the envelope is unreadable."""
    try:
        envelope = json.loads(raw_body)
    except ValueError:
        raise WebhookPayloadError("The body is not valid JSON.") from None
    if not isinstance(envelope, dict):
        raise WebhookPayloadError("The body is not a JSON object.")
    event = envelope.get("event")
    create_time = envelope.get("create_time")
    if not isinstance(event, str) or not event:
        raise WebhookPayloadError("'event' is missing.")
    if isinstance(create_time, str) and create_time.isdigit():
        create_time = int(create_time)
    if not isinstance(create_time, int) or isinstance(create_time, bool):
        raise WebhookPayloadError("'create_time' is missing or not an integer.")
    if create_time > _MILLISECONDS_THRESHOLD:
        create_time //= 1000
    return WebhookEvent(
        client_key=str(envelope.get("client_key") or ""),
        event=normalise_event_name(event),
        raw_event=event,
        create_time=create_time,
        user_openid=str(envelope.get("user_openid") or ""),
        content=_content(envelope.get("content")),
    )
