"""TikTok's rate limits, counted where every process sees them: the database.

TikTok counts calls over a sliding one-minute window (docs/tiktok.md §6):
creator_info 20 per user token (§4.2), the three init endpoints together 6
(§4.3 to §4.5), status fetch 30 (§4.8), and the Display API 600 per API,
which may be per app (§6 leaves it open, so it is counted app-wide here).
A 429 must make us wait, never hammer. Which window an endpoint counts against
comes from ``client.facts.RATE_LIMIT_OF_ENDPOINT``; the numbers per minute from
``settings.TIKTOK_RATE_LIMITS`` (keyed by ``facts.RateLimit`` values).

Per-token windows are kept per account: an account holds one token at a time,
and counting across a refresh errs on the side of fewer calls.
The state lives in the database so every worker and web process on every
machine shares one window, in the embedded runtime (SQLite, no Redis) as in
production.
"""

from __future__ import annotations

import logging
import random
import zlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from tiktok_integration.client.facts import (
    RATE_LIMIT_OF_ENDPOINT,
    Endpoint,
    RateLimit,
)
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import RateLimitSlot

logger = logging.getLogger(__name__)

#: Windows TikTok counts per app rather than per user token (§6).
APP_WIDE: frozenset[RateLimit] = frozenset({RateLimit.DISPLAY})


@dataclass(frozen=True, slots=True)
class Limit:
    """One window: ``per_minute`` calls per ``TIKTOK_RATE_WINDOW_SECONDS``,
    counted per account unless the window is app-wide."""

    rate_limit: RateLimit
    per_minute: int

    @property
    def is_app_wide(self) -> bool:
        return self.rate_limit in APP_WIDE

    def bucket(self, account_id: int) -> str:
        """The row key: ``"display"`` app-wide, ``"creator_info:42"`` per account."""
        if self.is_app_wide:
            return self.rate_limit.value
        return f"{self.rate_limit.value}:{account_id}"


def limit_for(endpoint: Endpoint) -> Limit | None:
    """The window ``endpoint`` counts against, or None when TikTok documents
    none (OAuth, chunk PUTs; §6)."""
    rate_limit = RATE_LIMIT_OF_ENDPOINT.get(endpoint)
    if rate_limit is None:
        return None
    return Limit(rate_limit, int(settings.TIKTOK_RATE_LIMITS[rate_limit]))


def _window() -> timedelta:
    # A little wider than TikTok's minute, so clock skew between us and TikTok
    # never lets a call land inside TikTok's window while outside ours.
    return timedelta(seconds=settings.TIKTOK_RATE_WINDOW_SECONDS)


def _lock(bucket: str) -> None:
    # PostgreSQL: serialise takers of one bucket only. SQLite's IMMEDIATE
    # transactions already serialise every writer.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(bucket.encode())]
            )


def rate_limit_take(*, limit: Limit, account_id: int) -> float:
    """Take one call from the window.

    Returns 0.0 when taken, else the seconds to wait before asking again (the
    window is full, or blocked after a 429). Nothing is taken when it waits.
    """
    bucket = limit.bucket(account_id)
    with transaction.atomic():
        _lock(bucket)
        now = db_now()
        window = _window()
        recent = list(
            RateLimitSlot.objects.filter(bucket=bucket, taken_at__gt=now - window)
            .order_by("-taken_at")
            .values_list("taken_at", flat=True)[: limit.per_minute]
        )
        if recent and recent[0] > now:
            # Blocked after a 429 until then.
            return (recent[0] - now).total_seconds()
        if len(recent) < limit.per_minute:
            RateLimitSlot.objects.create(bucket=bucket, taken_at=now)
            return 0.0
        return max(0.01, (recent[-1] + window - now).total_seconds())


def rate_limit_block(
    *, limit: Limit, account_id: int, retry_after: float | None
) -> float:
    """After a 429: block the window for ``retry_after`` seconds (capped at
    ``TIKTOK_RETRY_AFTER_MAX_SECONDS``) or, when TikTok says nothing (it
    documents no Retry-After, §6), a full window plus up to a quarter of one
    as jitter. Returns the seconds blocked."""
    if retry_after is not None:
        seconds = min(retry_after, settings.TIKTOK_RETRY_AFTER_MAX_SECONDS)
    else:
        window = _window().total_seconds()
        seconds = window + random.uniform(0, window / 4)  # noqa: S311
    bucket = limit.bucket(account_id)
    with transaction.atomic():
        _lock(bucket)
        RateLimitSlot.objects.create(
            bucket=bucket, taken_at=db_now() + timedelta(seconds=seconds)
        )
    logger.warning("TikTok rate limit hit on %s; waiting %.0f s", bucket, seconds)
    return seconds


def rate_limit_prune() -> int:
    """Delete slots that no window can see any more. Returns how many."""
    cutoff = db_now() - _window() - timedelta(minutes=1)
    deleted, _ = RateLimitSlot.objects.filter(taken_at__lt=cutoff).delete()
    return deleted
