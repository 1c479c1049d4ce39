"""The call journal and the per-token rate limits counted from it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tiktok_sandbox import rules
from tiktok_sandbox.errors import SandboxApiError
from tiktok_sandbox.models import (
    SandboxCall,
    SandboxCreator,
    SandboxFault,
    SandboxToken,
)

TOKEN_HASH_PREFIX_LENGTH = 12


def sandbox_call_record(
    *,
    endpoint: str,
    method: str,
    log_id: str,
    http_status: int | None,
    error_code: str = "",
    token: SandboxToken | None = None,
    creator: SandboxCreator | None = None,
    publish_id: str = "",
    chunk_number: int | None = None,
    byte_count: int | None = None,
    fault: SandboxFault | None = None,
    is_dropped: bool = False,
    at: datetime | None = None,
) -> SandboxCall:
    """Write one journal row. Only a hash prefix of the token is kept."""
    return SandboxCall.objects.create(
        endpoint=endpoint,
        method=method,
        log_id=log_id,
        http_status=http_status,
        error_code=error_code,
        token=token,
        token_hash_prefix=token.token_hash[:TOKEN_HASH_PREFIX_LENGTH] if token else "",
        creator=creator if creator is not None else (token.creator if token else None),
        publish_id=publish_id,
        chunk_number=chunk_number,
        byte_count=byte_count,
        fault=fault,
        is_dropped=is_dropped,
        created_at=at or timezone.now(),
    )


def sandbox_rate_limit_check(
    *, token: SandboxToken, endpoint: str, now: datetime | None = None
) -> None:
    """Refuse the call if this token used up its one-minute sliding window.

    Calls already refused with 429 do not count, so a client that waits a minute
    gets through. Raises SandboxApiError 429 rate_limit_exceeded (with no
    Retry-After, as at TikTok).
    """
    now = now or timezone.now()
    for limit in rules.RATE_LIMITS.values():
        if endpoint not in limit.endpoints:
            continue
        used = (
            SandboxCall.objects.filter(
                token=token,
                endpoint__in=limit.endpoints,
                created_at__gt=now - timedelta(seconds=rules.RATE_WINDOW_SECONDS),
            )
            .exclude(http_status=429)
            .count()
        )
        if used >= limit.limit:
            raise SandboxApiError(
                429,
                "rate_limit_exceeded",
                f"Rate limit of {limit.limit} requests per minute exceeded "
                f"({limit.name}).",
            )
