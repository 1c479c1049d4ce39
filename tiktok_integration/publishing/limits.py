"""TikTok's rate limits and a circuit breaker, shared by every worker.

TikTok limits each user token over a sliding one-minute window (creator_info 20,
the init endpoints together 6, status 30) and the Display API per app (600). A
429 must make us wait, never hammer. The state lives in the database so every
worker process on every machine sees the same window, in the embedded runtime
(SQLite, no Redis) as in production.
"""

from __future__ import annotations

import logging
import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tiktok_integration.models import CircuitBreaker, RateLimitSlot

logger = logging.getLogger(__name__)

API_BREAKER = "tiktok_api"
UPLOAD_BREAKER = "tiktok_upload"


def db_now() -> datetime:
    """The database's clock, which every lease and due time is compared against.

    SQLite lives on this machine, so its clock is this machine's; PostgreSQL may
    be elsewhere and workers' clocks drift, so ask it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            row = cursor.fetchone()
        moment: datetime = row[0]
        return moment
    return timezone.now()


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    per_minute: int

    def bucket(self, account_id: int | None) -> str:
        return self.name if account_id is None else f"{self.name}:{account_id}"


def limit_for(endpoint: str) -> Limit:
    """The limit an API call counts against (endpoint names as the client's)."""
    limits = settings.TIKTOK_RATE_LIMITS
    if endpoint in ("video_init", "inbox_video_init", "content_init"):
        return Limit("init", limits["init"])
    if endpoint in ("user_info", "video_list", "video_query"):
        return Limit("display", limits["display"])
    return Limit(endpoint, limits[endpoint])


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


def rate_limit_take(*, limit: Limit, account_id: int | None) -> float:
    """Take one call from the window: 0.0 if taken, else seconds to wait first."""
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
    *, limit: Limit, account_id: int | None, retry_after: float | None
) -> float:
    """After a 429: block the bucket for Retry-After (capped) or a full window
    with jitter when TikTok says nothing. Returns the seconds blocked."""
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


# --- Circuit breaker ------------------------------------------------------------


def breaker_wait(name: str) -> float:
    """Seconds until a call may be made through breaker ``name`` (0: go ahead).

    Closed: 0. Open: the time left. Open but due: one caller wins the half-open
    probe (compare-and-set pushes ``open_until`` on), the others keep waiting.
    """
    state = CircuitBreaker.objects.filter(name=name).first()
    if state is None or state.open_until is None:
        return 0.0
    now = db_now()
    if state.open_until > now:
        return (state.open_until - now).total_seconds()
    probe_until = now + timedelta(seconds=settings.TIKTOK_BREAKER_RESET_SECONDS)
    won = CircuitBreaker.objects.filter(
        pk=state.pk, open_until=state.open_until
    ).update(open_until=probe_until)
    if won:
        logger.info("Circuit %s half-open: sending one probe", name)
        return 0.0
    return settings.TIKTOK_BREAKER_RESET_SECONDS


def breaker_record_success(name: str) -> None:
    # Conditional: a healthy system writes nothing here.
    CircuitBreaker.objects.filter(
        Q(consecutive_failures__gt=0) | Q(open_until__isnull=False), name=name
    ).update(consecutive_failures=0, open_until=None)


def breaker_record_failure(name: str) -> None:
    """Count a connect error or 5xx; open the breaker at the threshold.

    4xx and 429 are per request or per token and never count.
    """
    CircuitBreaker.objects.get_or_create(name=name)
    CircuitBreaker.objects.filter(name=name).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    now = db_now()
    opened = CircuitBreaker.objects.filter(
        Q(open_until__isnull=True) | Q(open_until__lte=now),
        name=name,
        consecutive_failures__gte=settings.TIKTOK_BREAKER_THRESHOLD,
    ).update(
        open_until=now + timedelta(seconds=settings.TIKTOK_BREAKER_RESET_SECONDS),
        opened_at=now,
    )
    if opened:
        logger.warning("Circuit %s opened after repeated TikTok failures", name)
