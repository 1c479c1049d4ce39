"""Chunk PUTs to TikTok's upload URL (§4.6), through the upload host's breaker.

No token (the URL carries its own authorization) and no documented rate limit;
every PUT still leaves a PublishAttempt row.
"""

from __future__ import annotations

import requests

from tiktok_integration.client import (
    ChunkUploadResult,
    FileRangeReader,
    TikTokAmbiguousError,
    TikTokRateLimitedError,
    TikTokTransientError,
)
from tiktok_integration.gateway.attempts import attempt_recorder
from tiktok_integration.gateway.breaker import (
    UPLOAD_BREAKER,
    breaker_record_failure,
    breaker_record_success,
    breaker_wait,
    counts_for_breaker,
)
from tiktok_integration.gateway.clients import api_client
from tiktok_integration.gateway.errors import ComeBackLaterError

#: Seconds to hold back after a 429 from the upload host without Retry-After.
UPLOAD_BACKOFF_SECONDS = 30.0


def upload_chunk(
    *,
    account_id: int,
    job_id: int,
    lease_version: int,
    upload_url: str,
    body: FileRangeReader,
    first: int,
    last: int,
    total: int,
    content_type: str,
    is_final: bool,
    session: requests.Session | None = None,
) -> ChunkUploadResult:
    """PUT bytes ``first``..``last`` (inclusive, 0-based) of ``total``, through
    ``session`` when given (``gateway.clients.upload_session``, one per upload).

    Raises ``ComeBackLaterError`` (breaker open, or a 429), and the client's
    ``TikTokError`` subclasses: ``TikTokRangeMismatchError`` (416, resume from
    its ``uploaded_bytes``), ``TikTokRejectedError`` (403 expired URL, 404),
    ``TikTokTransientError`` (5xx: send the same chunk again),
    ``TikTokAmbiguousError`` (the final chunk's answer was lost).
    """
    wait = breaker_wait(UPLOAD_BREAKER)
    if wait > 0:
        raise ComeBackLaterError(
            wait, "TikTok's upload host has been failing; waiting."
        )
    client = api_client(
        on_call=attempt_recorder(
            account_id=account_id, job_id=job_id, lease_version=lease_version
        ),
        session=session,
    )
    try:
        result = client.upload_chunk(
            upload_url=upload_url,
            body=body,
            first=first,
            last=last,
            total=total,
            content_type=content_type,
            is_final=is_final,
        )
    except TikTokRateLimitedError as error:
        delay = (
            error.retry_after
            if error.retry_after is not None
            else UPLOAD_BACKOFF_SECONDS
        )
        raise ComeBackLaterError(
            delay, "TikTok's upload host asked us to slow down."
        ) from error
    except (TikTokTransientError, TikTokAmbiguousError) as error:
        if counts_for_breaker(error):
            breaker_record_failure(UPLOAD_BREAKER)
        raise
    breaker_record_success(UPLOAD_BREAKER)
    return result
