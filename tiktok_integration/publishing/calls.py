"""One TikTok call as the publisher makes it: breaker, rate limit, token, audit.

Every call writes a PublishAttempt (through the gateway's recorder). A 401 gets
one refresh and one retry (TikTok refused, so nothing happened); a 429 blocks
the token's window and parks the job; connect errors and 5xx feed the breaker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import NoReturn, TypeVar

from tiktok_integration.client import (
    ChunkUploadResult,
    FileRangeReader,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokError,
    TikTokRateLimitedError,
    TikTokReauthError,
    TikTokScopeError,
    TikTokTransientError,
)
from tiktok_integration.gateway import api_client, attempt_recorder
from tiktok_integration.publishing.limits import (
    API_BREAKER,
    UPLOAD_BREAKER,
    Limit,
    breaker_record_failure,
    breaker_record_success,
    breaker_wait,
    limit_for,
    rate_limit_block,
    rate_limit_take,
)
from tiktok_integration.services.tokens import (
    ReconnectRequiredError,
    tiktok_account_access_token,
    tiktok_account_mark_reauth_required,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Waits this short are slept through; longer ones park the job.
SLEEP_AT_MOST_SECONDS = 2.0


class ParkError(Exception):
    """Stop here and come back in ``delay`` seconds; nothing is lost or used up."""

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay
        self.reason = reason


def _counts_for_breaker(error: TikTokError) -> bool:
    return error.http_status is None or error.http_status >= 500


def _take(limit: Limit, account_id: int) -> None:
    bucket_account = None if limit.name == "display" else account_id
    while True:
        wait = rate_limit_take(limit=limit, account_id=bucket_account)
        if wait <= 0:
            return
        if wait > SLEEP_AT_MOST_SECONDS:
            raise ParkError(
                wait, f"Waiting for TikTok's {limit.name} rate limit for this account."
            )
        time.sleep(wait)


def call_api(
    *,
    account_id: int,
    job_id: int | None,
    lease_version: int | None,
    endpoint: str,
    request: Callable[[TikTokClient, str], T],
) -> T:
    """Make ``request(client, access_token)`` within every limit.

    Raises ParkError (rate limit, open breaker), ReconnectRequiredError (the
    account needs a person; it is marked and its jobs paused), and the client's
    TikTokError subclasses for everything else.
    """
    wait = breaker_wait(API_BREAKER)
    if wait > 0:
        raise ParkError(wait, "TikTok has been failing; waiting for it to recover.")
    limit = limit_for(endpoint)
    client = api_client(
        on_call=attempt_recorder(
            account_id=account_id, job_id=job_id, lease_version=lease_version
        )
    )
    _take(limit, account_id)
    token = tiktok_account_access_token(account_id=account_id)
    try:
        try:
            result = request(client, token)
        except TikTokScopeError as error:
            _reconnect(account_id, error)
        except TikTokReauthError:
            # A token that looked fresh was refused (revoked upstream): one
            # refresh, one more try. TikTok acted on neither refused request.
            token = tiktok_account_access_token(
                account_id=account_id, force_refresh=True
            )
            _take(limit, account_id)
            try:
                result = request(client, token)
            except TikTokReauthError as error:
                _reconnect(account_id, error)
    except TikTokRateLimitedError as error:
        seconds = rate_limit_block(
            limit=limit,
            account_id=None if limit.name == "display" else account_id,
            retry_after=error.retry_after,
        )
        raise ParkError(seconds, "TikTok asked us to slow down.") from error
    except (TikTokTransientError, TikTokAmbiguousError) as error:
        if _counts_for_breaker(error):
            breaker_record_failure(API_BREAKER)
        raise
    breaker_record_success(API_BREAKER)
    return result


def _reconnect(account_id: int, error: TikTokError) -> NoReturn:
    reason = (
        f"TikTok refused this account's authorization ({error.code}); reconnect "
        "it to keep publishing."
    )
    tiktok_account_mark_reauth_required(account_id=account_id, reason=reason)
    raise ReconnectRequiredError(account_id, reason) from error


def put_chunk(
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
) -> ChunkUploadResult:
    """PUT one chunk (no token, no documented rate limit) through the breaker."""
    wait = breaker_wait(UPLOAD_BREAKER)
    if wait > 0:
        raise ParkError(wait, "TikTok's upload host has been failing; waiting.")
    client = api_client(
        on_call=attempt_recorder(
            account_id=account_id, job_id=job_id, lease_version=lease_version
        )
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
        delay = error.retry_after if error.retry_after is not None else 30.0
        raise ParkError(delay, "TikTok's upload host asked us to slow down.") from error
    except (TikTokTransientError, TikTokAmbiguousError) as error:
        if _counts_for_breaker(error):
            breaker_record_failure(UPLOAD_BREAKER)
        raise
    breaker_record_success(UPLOAD_BREAKER)
    return result
