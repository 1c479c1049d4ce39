"""Circuit breakers for TikTok's hosts, shared by every process via the database.

After ``TIKTOK_BREAKER_THRESHOLD`` connect errors or 5xx answers in a row the
breaker opens for ``TIKTOK_BREAKER_RESET_SECONDS``; then one caller probes.
4xx and 429 are about one request or one token and never count.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q

from tiktok_integration.client import TikTokError
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import CircuitBreaker

logger = logging.getLogger(__name__)

#: The resource API host (§0).
API_BREAKER = "tiktok_api"
#: TikTok's upload host, the one in ``upload_url`` (§4.6).
UPLOAD_BREAKER = "tiktok_upload"


def counts_for_breaker(error: TikTokError) -> bool:
    """Only a missing answer or a 5xx says TikTok's host is unwell."""
    return error.http_status is None or error.http_status >= 500


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
    return float(settings.TIKTOK_BREAKER_RESET_SECONDS)


def breaker_record_success(name: str) -> None:
    """Close the breaker after a call that got an answer."""
    # Conditional: a healthy system writes nothing here.
    CircuitBreaker.objects.filter(
        Q(consecutive_failures__gt=0) | Q(open_until__isnull=False), name=name
    ).update(consecutive_failures=0, open_until=None)


def breaker_record_failure(name: str) -> None:
    """Count a connect error or 5xx; open the breaker at the threshold."""
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
