"""Publishing's side of the gateway: a wait becomes a parked job.

The gateway (``gateway.account_calls``, ``gateway.uploads``) does the work:
breaker, rate limits, token, one refresh on a refused token, audit. Publishing
adds two things: "come back in N seconds" parks the job (``ParkError``), and a
missing scope pauses it for reconnection, since a publish cannot go on without
the scope (§2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests

from tiktok_integration.client import (
    ChunkUploadResult,
    FileRangeReader,
    TikTokClient,
    TikTokScopeError,
)
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.gateway.account_calls import call_as_account
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.gateway.uploads import upload_chunk
from tiktok_integration.services.tokens import (
    ReconnectRequiredError,
    tiktok_account_mark_reauth_required,
)

T = TypeVar("T")


class ParkError(Exception):
    """Stop here and come back in ``delay`` seconds; nothing is lost or used up."""

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay
        self.reason = reason


def call_api(
    *,
    account_id: int,
    job_id: int | None,
    lease_version: int | None,
    endpoint: str,
    request: Callable[[TikTokClient, str], T],
) -> T:
    """``gateway.account_calls.call_as_account`` for a job.

    ``endpoint`` is a ``client.facts.Endpoint`` value. Raises ParkError instead
    of ``ComeBackLaterError``, ReconnectRequiredError for a missing scope too
    (the account is marked and its jobs paused), and otherwise as the facade.
    """
    try:
        return call_as_account(
            account_id=account_id,
            endpoint=Endpoint(endpoint),
            request=request,
            job_id=job_id,
            lease_version=lease_version,
        )
    except ComeBackLaterError as wait:
        raise ParkError(wait.delay, wait.reason) from wait
    except TikTokScopeError as error:
        reason = (
            f"This account did not grant TikTok a permission publishing needs "
            f"({error.code}); reconnect it and allow every requested permission."
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
    session: requests.Session | None = None,
) -> ChunkUploadResult:
    """``gateway.uploads.upload_chunk`` for a job; a wait raises ParkError."""
    try:
        return upload_chunk(
            session=session,
            account_id=account_id,
            job_id=job_id,
            lease_version=lease_version,
            upload_url=upload_url,
            body=body,
            first=first,
            last=last,
            total=total,
            content_type=content_type,
            is_final=is_final,
        )
    except ComeBackLaterError as wait:
        raise ParkError(wait.delay, wait.reason) from wait
