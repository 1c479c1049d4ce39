"""The facade: call TikTok as one connected account.

Every request made with an account's token goes through ``call_as_account``,
whoever makes it (publishing workers, the admin's job form and "Re-check now",
connect, profile sync), so every caller gets the same guarantees:

1. the circuit breaker: while TikTok's API host keeps failing, nothing is sent;
2. the rate limit of the endpoint's window (§6), shared by every process:
   a short wait is slept through, a longer one raises ``ComeBackLaterError``;
3. a usable token, refreshed first when it is about to expire (§1.5, §1.6);
4. the call, with one PublishAttempt row per request;
5. on a refused token (401 ``access_token_invalid``, §5.1): one refresh and
   one retry. The account is marked "reconnect needed" only when TikTok refuses
   the refresh itself, or refuses a token it has just issued.

Errors are the client's mapped ``TikTokError`` subclasses, plus
``ComeBackLaterError`` (wait) and ``ReconnectRequiredError`` (a person must
reconnect the account).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn, TypeVar

from tiktok_integration.client import (
    CreatorInfo,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokError,
    TikTokRateLimitedError,
    TikTokReauthError,
    TikTokScopeError,
    TikTokTransientError,
    UserInfo,
    Video,
    VideoPage,
)
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.gateway.attempts import attempt_recorder
from tiktok_integration.gateway.breaker import (
    API_BREAKER,
    breaker_record_failure,
    breaker_record_success,
    breaker_wait,
    counts_for_breaker,
)
from tiktok_integration.gateway.clients import api_client, oauth_client
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.gateway.rate_limits import (
    Limit,
    limit_for,
    rate_limit_block,
    rate_limit_take,
)
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.tokens import (
    ReconnectRequiredError,
    tiktok_account_access_token,
    tiktok_account_mark_reauth_required,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Rate-limit waits this short (seconds) are slept through by default.
SLEEP_AT_MOST_SECONDS = 2.0
#: How long to hold back after a 429 on an endpoint with no window of ours.
UNLIMITED_ENDPOINT_BACKOFF_SECONDS = 30.0


def _take(limit: Limit | None, account_id: int, max_wait_seconds: float) -> None:
    if limit is None:
        return
    while True:
        wait = rate_limit_take(limit=limit, account_id=account_id)
        if wait <= 0:
            return
        if wait > max_wait_seconds:
            raise ComeBackLaterError(
                wait,
                f"Waiting for TikTok's {limit.rate_limit.value} rate limit "
                f"({limit.per_minute} calls a minute).",
            )
        time.sleep(wait)


def _reconnect(account_id: int, error: TikTokError) -> NoReturn:
    reason = (
        f"TikTok refused this account's authorization ({error.code}) right after "
        "it was renewed; reconnect the account to keep publishing."
    )
    tiktok_account_mark_reauth_required(account_id=account_id, reason=reason)
    raise ReconnectRequiredError(account_id, reason) from error


def call_as_account(
    *,
    account_id: int,
    endpoint: Endpoint,
    request: Callable[[TikTokClient, str], T],
    job_id: int | None = None,
    lease_version: int | None = None,
    max_wait_seconds: float = SLEEP_AT_MOST_SECONDS,
) -> T:
    """Make ``request(client, access_token)`` as the account, within every limit.

    ``endpoint`` names the call (the attempt rows and the rate-limit window go
    by it). ``job_id`` and ``lease_version`` are written on the attempt rows.
    ``max_wait_seconds``: rate-limit waits up to this long are slept through.

    Raises:
      ``ComeBackLaterError``: the breaker is open, the window is full for longer
        than ``max_wait_seconds``, or TikTok answered 429 (the window is then
        blocked for Retry-After or a full window). Nothing needs undoing.
      ``ReconnectRequiredError``: TikTok refused the refresh, or a token it had
        just issued; the account is marked "reconnect needed" and its jobs
        paused.
      ``TikTokScopeError``: the account did not grant the scope (§2); a
        refresh cannot change that, so none is tried and the account is left
        as it is.
      other ``TikTokError`` subclasses as the client maps them (§5.1).
    """
    wait = breaker_wait(API_BREAKER)
    if wait > 0:
        raise ComeBackLaterError(
            wait, "TikTok has been failing; waiting for it to recover."
        )
    limit = limit_for(endpoint)
    client = api_client(
        on_call=attempt_recorder(
            account_id=account_id, job_id=job_id, lease_version=lease_version
        )
    )
    _take(limit, account_id, max_wait_seconds)
    token = tiktok_account_access_token(account_id=account_id)
    try:
        try:
            result = request(client, token.value)
        except TikTokScopeError:
            raise
        except TikTokReauthError as error:
            if token.is_new:
                _reconnect(account_id, error)
            # A token that looked fresh was refused (revoked or expired early
            # upstream): one refresh, one more try. TikTok acted on neither.
            token = tiktok_account_access_token(
                account_id=account_id, refused_version=token.version
            )
            _take(limit, account_id, max_wait_seconds)
            try:
                result = request(client, token.value)
            except TikTokScopeError:
                raise
            except TikTokReauthError as second:
                _reconnect(account_id, second)
    except TikTokRateLimitedError as error:
        if limit is None:
            seconds = error.retry_after or UNLIMITED_ENDPOINT_BACKOFF_SECONDS
        else:
            seconds = rate_limit_block(
                limit=limit, account_id=account_id, retry_after=error.retry_after
            )
        raise ComeBackLaterError(seconds, "TikTok asked us to slow down.") from error
    except (TikTokTransientError, TikTokAmbiguousError) as error:
        if counts_for_breaker(error):
            breaker_record_failure(API_BREAKER)
        raise
    breaker_record_success(API_BREAKER)
    return result


def creator_info(
    *,
    account_id: int,
    job_id: int | None = None,
    lease_version: int | None = None,
    max_wait_seconds: float = SLEEP_AT_MOST_SECONDS,
) -> CreatorInfo:
    """What the creator may post right now (§4.2; 20 calls a minute per token).

    Raises as ``call_as_account``; a creator who cannot post now is
    ``TikTokQuotaError`` or ``TikTokAccountBlockedError`` (HTTP 200 on purpose).
    """
    return call_as_account(
        account_id=account_id,
        endpoint=Endpoint.CREATOR_INFO,
        request=lambda client, token: client.creator_info(access_token=token),
        job_id=job_id,
        lease_version=lease_version,
        max_wait_seconds=max_wait_seconds,
    )


def user_info(
    *,
    account_id: int,
    fields: Iterable[str],
    max_wait_seconds: float = SLEEP_AT_MOST_SECONDS,
) -> UserInfo:
    """The account's profile with ``fields`` (§3.1; each field needs its scope,
    §2). Counted in the app-wide Display window (600 a minute, §6). Raises as
    ``call_as_account``."""
    wanted = tuple(fields)
    return call_as_account(
        account_id=account_id,
        endpoint=Endpoint.USER_INFO,
        request=lambda client, token: client.user_info(
            access_token=token, fields=wanted
        ),
        max_wait_seconds=max_wait_seconds,
    )


def video_list(
    *,
    account_id: int,
    fields: Iterable[str],
    cursor: int | None = None,
    max_wait_seconds: float = SLEEP_AT_MOST_SECONDS,
) -> VideoPage:
    """One page of the account's public videos, newest first, at most
    ``MAX_VIDEOS_PER_REQUEST`` (20) per page (§3.2). ``cursor`` is the previous
    page's (UTC milliseconds). Counted in the app-wide Display window (§6).
    Raises as ``call_as_account``; a missing ``video.list`` scope is
    ``TikTokScopeError``."""
    wanted = tuple(fields)
    return call_as_account(
        account_id=account_id,
        endpoint=Endpoint.VIDEO_LIST,
        request=lambda client, token: client.video_list(
            access_token=token, fields=wanted, cursor=cursor
        ),
        max_wait_seconds=max_wait_seconds,
    )


def video_query(
    *,
    account_id: int,
    fields: Iterable[str],
    video_ids: Sequence[str],
    max_wait_seconds: float = SLEEP_AT_MOST_SECONDS,
) -> tuple[Video, ...]:
    """The account's own videos among ``video_ids`` (1 to 20 ids, §3.3); ids
    TikTok does not return are not the account's or not public. Also renews
    the cover URL's 6-hour life (§3.3, §3.4). Counted in the app-wide Display
    window (§6). Raises ValueError for 0 or more than 20 ids, and as
    ``call_as_account``."""
    wanted = tuple(fields)
    ids = tuple(video_ids)
    return call_as_account(
        account_id=account_id,
        endpoint=Endpoint.VIDEO_QUERY,
        request=lambda client, token: client.video_query(
            access_token=token, fields=wanted, video_ids=ids
        ),
        max_wait_seconds=max_wait_seconds,
    )


def revoke_access(*, account_id: int) -> bool:
    """Revoke the app's access at TikTok with the stored access token (§1.7).

    No refresh first and no "reconnect needed" marking: the account is being
    disconnected either way. Returns False when no token is stored (nothing to
    revoke). Raises ``TikTokError`` subclasses when TikTok does not confirm.
    """
    account = TikTokAccount.objects.get(pk=account_id)
    if account.access_token is None:
        return False
    oauth_client(on_call=attempt_recorder(account_id=account_id)).revoke(
        access_token=account.access_token.reveal()
    )
    return True
