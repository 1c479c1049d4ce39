"""Exceptions raised by the TikTok client, and the one table that classifies codes.

Which class an error gets decides what the caller does next (docs/reliability.md §5):
retry later, refresh or reconnect the account, stop for the day, fail the post, or
go through the "did TikTok act?" recovery for an ambiguous outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeVar

# Codes this client makes up for outcomes that carry no TikTok code.
RANGE_MISMATCH: Final = "range_mismatch"
UPLOAD_URL_EXPIRED: Final = "upload_url_expired"
UPLOAD_NOT_FOUND: Final = "upload_not_found"
UPLOAD_INVALID_REQUEST: Final = "upload_invalid_request"
UPLOAD_REJECTED: Final = "upload_rejected"
MALFORMED_RESPONSE: Final = "malformed_response"
CONNECTION_FAILED: Final = "connection_failed"
RESPONSE_LOST: Final = "response_lost"
REQUEST_NOT_SENDABLE: Final = "request_not_sendable"
INVALID_CALLBACK: Final = "invalid_callback"

T = TypeVar("T")

_URL_QUERY = re.compile(r"(https?://[^\s?#]*)\?\S*")
_TOKEN_LIKE = re.compile(r"\b(?:act|rft|clt)\.[^\s,;\"']+")


def redact(text: str) -> str:
    """Strip URL query strings and token-shaped words from text meant for logs."""
    without_queries = _URL_QUERY.sub(r"\1?<redacted>", text)
    return _TOKEN_LIKE.sub("<redacted-token>", without_queries)


class TikTokError(Exception):
    """A TikTok call failed; ``str()`` is safe to log (no tokens, no URL queries)."""

    default_staff_message: ClassVar[str] = (
        "The TikTok request failed; try again, and contact support with the log id "
        "if it keeps failing."
    )

    def __init__(
        self,
        *,
        code: str,
        message: str = "",
        log_id: str = "",
        http_status: int | None = None,
        endpoint: str = "",
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = redact(message)
        self.log_id = log_id
        self.http_status = http_status
        self.endpoint = endpoint

    def __str__(self) -> str:
        status = (
            "no HTTP response"
            if self.http_status is None
            else f"HTTP {self.http_status}"
        )
        text = (
            f"{self.endpoint or 'tiktok'}: {self.code or 'no error code'} "
            f"({status}, log_id {self.log_id or '-'})"
        )
        return f"{text}: {self.message}" if self.message else text

    @property
    def staff_message(self) -> str:
        """One plain-English sentence: what went wrong and what to do about it."""
        return STAFF_MESSAGE_BY_CODE.get(self.code, self.default_staff_message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only __init__ defeats Exception's default pickling, and Celery
        # pickles exceptions into task results.
        return (_rebuild_error, (type(self), dict(self.__dict__)))


def _rebuild_error(
    error_class: type[TikTokError], state: dict[str, Any]
) -> TikTokError:
    error = error_class.__new__(error_class)
    Exception.__init__(error, state.get("code", ""))
    error.__dict__.update(state)
    return error


class TikTokReauthError(TikTokError):
    """The token is no longer accepted: refresh once, then ask for a reconnect."""

    default_staff_message = (
        "TikTok no longer accepts this account's authorisation; reconnect the "
        "account from its admin page."
    )


class TikTokScopeError(TikTokReauthError):
    """The user has not granted a needed scope; only a new consent can fix it."""

    default_staff_message = (
        "The TikTok account has not granted a permission this action needs; "
        "reconnect it and allow every requested permission."
    )


class TikTokRateLimitedError(TikTokError):
    """TikTok asked us to slow down; ``retry_after`` is set only if it said when."""

    default_staff_message = (
        "TikTok is limiting how fast this account can make requests; the action "
        "will be retried after a short wait."
    )

    def __init__(self, *, retry_after: float | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self.retry_after = retry_after


class TikTokTransientError(TikTokError):
    """A temporary failure that did not change anything at TikTok: retry later."""

    default_staff_message = (
        "TikTok could not be reached or had a temporary problem; the action will "
        "be retried automatically."
    )


class TikTokRejectedError(TikTokError):
    """TikTok refused the request as it stands; retrying it unchanged will not help."""

    default_staff_message = (
        "TikTok refused the request; check the post's details and try again, or "
        "contact support with the log id."
    )


class TikTokRangeMismatchError(TikTokRejectedError):
    """The upload offset disagrees with TikTok's; resume from ``uploaded_bytes``."""

    def __init__(self, *, uploaded_bytes: int | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self.uploaded_bytes = uploaded_bytes


class TikTokQuotaError(TikTokRejectedError):
    """A posting cap was reached; try again later (usually the next day)."""


class TikTokAccountBlockedError(TikTokRejectedError):
    """TikTok has banned the creator from posting; pause the account."""


class TikTokAmbiguousError(TikTokError):
    """A non-idempotent request was sent but its outcome is unknown.

    TikTok may or may not have acted (created a publish, accepted the final chunk,
    rotated the refresh token), so the caller must check before trying again.
    """

    default_staff_message = (
        "TikTok did not confirm the request, so it may or may not have acted; check "
        "the account on TikTok before trying again."
    )


# One table drives classification; the tests walk it. §3.5 and §5.1 of
# docs/tiktok.md for the resource APIs, §1.9 for OAuth, then our own codes.
ERROR_CLASS_BY_CODE: Final[Mapping[str, type[TikTokError]]] = MappingProxyType(
    {
        "access_token_invalid": TikTokReauthError,
        "scope_not_authorized": TikTokScopeError,
        "scope_permission_missed": TikTokScopeError,
        "rate_limit_exceeded": TikTokRateLimitedError,
        "internal_error": TikTokTransientError,
        "invalid_param": TikTokRejectedError,
        "invalid_params": TikTokRejectedError,
        "invalid_file_upload": TikTokRejectedError,
        "app_version_check_failed": TikTokRejectedError,
        "invalid_publish_id": TikTokRejectedError,
        "token_not_authorized_for_specified_publish_id": TikTokRejectedError,
        "publish_not_cancellable": TikTokRejectedError,
        "unaudited_client_can_only_post_to_private_accounts": TikTokRejectedError,
        "url_ownership_unverified": TikTokRejectedError,
        "privacy_level_option_mismatch": TikTokRejectedError,
        "spam_risk_text": TikTokRejectedError,
        "spam_risk_too_many_posts": TikTokQuotaError,
        "spam_risk_too_many_pending_share": TikTokQuotaError,
        "reached_active_user_cap": TikTokQuotaError,
        "spam_risk_user_banned_from_posting": TikTokAccountBlockedError,
        "invalid_grant": TikTokReauthError,
        "access_denied": TikTokRejectedError,
        "invalid_client": TikTokRejectedError,
        "invalid_request": TikTokRejectedError,
        "invalid_scope": TikTokRejectedError,
        "unauthorized_client": TikTokRejectedError,
        "unsupported_grant_type": TikTokRejectedError,
        "unsupported_response_type": TikTokRejectedError,
        "server_error": TikTokTransientError,
        "temporarily_unavailable": TikTokTransientError,
        RANGE_MISMATCH: TikTokRangeMismatchError,
        UPLOAD_URL_EXPIRED: TikTokRejectedError,
        UPLOAD_NOT_FOUND: TikTokRejectedError,
        UPLOAD_INVALID_REQUEST: TikTokRejectedError,
        UPLOAD_REJECTED: TikTokRejectedError,
        REQUEST_NOT_SENDABLE: TikTokRejectedError,
        INVALID_CALLBACK: TikTokRejectedError,
    }
)


def error_from_code(
    *,
    endpoint: str,
    http_status: int | None,
    code: str,
    message: str = "",
    log_id: str = "",
    retry_after: float | None = None,
    outcome_unknown_on_gateway_timeout: bool = False,
) -> TikTokError:
    """Build the exception for a failed response: HTTP status first, then the code.

    A 504 on a non-idempotent request means a gateway gave up waiting for TikTok,
    which may still have acted, so callers of init, final chunk and token requests
    pass ``outcome_unknown_on_gateway_timeout=True`` to get TikTokAmbiguousError.
    """
    fields: dict[str, Any] = {
        "code": code,
        "message": message,
        "log_id": log_id,
        "http_status": http_status,
        "endpoint": endpoint,
    }
    if http_status == 429 or ERROR_CLASS_BY_CODE.get(code) is TikTokRateLimitedError:
        return TikTokRateLimitedError(retry_after=retry_after, **fields)
    if http_status is not None and http_status >= 500:
        if http_status == 504 and outcome_unknown_on_gateway_timeout:
            return TikTokAmbiguousError(**fields)
        return TikTokTransientError(**fields)
    error_class = ERROR_CLASS_BY_CODE.get(code)
    if error_class is None:
        error_class = TikTokReauthError if http_status == 401 else TikTokRejectedError
    return error_class(**fields)


def malformed_response_error(
    *,
    endpoint: str,
    http_status: int | None,
    detail: str,
    log_id: str = "",
    outcome_unknown: bool,
) -> TikTokError:
    """A success status with a body we cannot read.

    After a non-idempotent request TikTok may have acted (so: ambiguous);
    otherwise asking again is safe (so: transient).
    """
    error_class = TikTokAmbiguousError if outcome_unknown else TikTokTransientError
    return error_class(
        code=MALFORMED_RESPONSE,
        message=detail,
        log_id=log_id,
        http_status=http_status,
        endpoint=endpoint,
    )


def parse_or_malformed(
    parse: Callable[[Any], T],
    payload: Any,
    *,
    endpoint: str,
    http_status: int,
    log_id: str,
    outcome_unknown: bool,
) -> T:
    """Parse a successful answer; an answer that does not parse is an error whose
    class depends on whether TikTok may have acted (see malformed_response_error)."""
    try:
        return parse(payload)
    except ValueError as exc:
        raise malformed_response_error(
            endpoint=endpoint,
            http_status=http_status,
            detail=str(exc),
            log_id=log_id,
            outcome_unknown=outcome_unknown,
        ) from None


def describe_fail_reason(reason: str) -> str:
    """One sentence for a status ``fail_reason`` or webhook ``reason`` (§5.2)."""
    return STAFF_MESSAGE_BY_CODE.get(
        reason,
        f"TikTok reported the failure reason '{reason}', which Postdeck does not "
        "know; check the post on TikTok and contact support if it is missing.",
    )


# §5.2 "Retry?" column: only these fail reasons can succeed on a fresh attempt.
RETRYABLE_FAIL_REASONS: Final = frozenset(
    {"internal", "video_pull_failed", "photo_pull_failed"}
)

STAFF_MESSAGE_BY_CODE: Final[Mapping[str, str]] = MappingProxyType(
    {
        # §3.5 and §5.1: error.code of the resource APIs.
        "invalid_param": (
            "TikTok rejected the post's settings as invalid; check the caption, "
            "privacy level and media, then try again."
        ),
        "invalid_params": (
            "TikTok rejected the request as invalid; check the requested details "
            "and try again, or contact support with the log id."
        ),
        "app_version_check_failed": (
            "The creator's TikTok app is too old to receive photo drafts; ask them "
            "to update TikTok to version 31.8 or later, then try again."
        ),
        "invalid_publish_id": (
            "TikTok does not recognise this publish id; check the account on "
            "TikTok and publish the post again if it is missing."
        ),
        "token_not_authorized_for_specified_publish_id": (  # an error code  # nosec B105
            "This publish was started by another TikTok authorisation; reconnect "
            "the account that started it before checking it again."
        ),
        "publish_not_cancellable": (
            "TikTok can no longer cancel this upload because it is already "
            "processing; wait for it to finish and delete the post on TikTok if "
            "it is unwanted."
        ),
        "invalid_file_upload": (
            "TikTok rejected the uploaded file; export the video again as MP4, "
            "WebM or MOV and retry."
        ),
        "scope_permission_missed": (
            "The TikTok account did not grant a permission this request needs; "
            "reconnect it and allow every requested permission."
        ),
        "spam_risk_too_many_posts": (
            "The creator has reached TikTok's daily posting limit (counted over a "
            "rolling 24 hours); posting frees up 24 hours after their oldest post."
        ),
        "spam_risk_user_banned_from_posting": (
            "TikTok has banned this creator from posting; the account cannot "
            "publish until TikTok lifts the ban."
        ),
        "spam_risk_too_many_pending_share": (
            "The creator has too many drafts waiting in their TikTok inbox; ask "
            "them to post or discard some, then try again later."
        ),
        "reached_active_user_cap": (
            "This app has reached TikTok's daily limit of creators who may post "
            "(counted over a rolling 24 hours); try again in an hour."
        ),
        "unaudited_client_can_only_post_to_private_accounts": (
            "Until the app passes TikTok's audit it can only post to private "
            "accounts; make the TikTok account private, choose 'Only me', and "
            "try again."
        ),
        "url_ownership_unverified": (
            "The media URL is not on a domain or URL prefix verified in the TikTok "
            "developer portal; verify it there, then try again."
        ),
        "privacy_level_option_mismatch": (
            "The chosen privacy level is not one this creator may use now; pick "
            "one of the options TikTok offers and try again."
        ),
        "access_token_invalid": (  # an error code  # nosec B105
            "TikTok no longer accepts this account's access token; reconnect the "
            "account if it keeps happening after a refresh."
        ),
        "scope_not_authorized": (
            "The TikTok account has not granted the permission this action needs; "
            "reconnect it and allow every requested permission."
        ),
        "rate_limit_exceeded": (
            "TikTok is limiting how fast this account can make requests; the "
            "action will be retried after a short wait."
        ),
        "internal_error": (
            "TikTok had an internal error; the action will be retried later."
        ),
        # §5.2: status fail_reason and webhook reason.
        "file_format_check_failed": (
            "TikTok could not read the media format; export the video as MP4 "
            "(H.264) or the photos as JPEG or WebP and post it again."
        ),
        "duration_check_failed": (
            "The video is longer or shorter than this creator may post; trim it "
            "to the allowed duration and post it again."
        ),
        "frame_rate_check_failed": (
            "The video's frame rate is outside TikTok's 23-60 fps range; export "
            "it again at a supported frame rate and post it again."
        ),
        "picture_size_check_failed": (
            "The media dimensions are outside TikTok's limits (360-4096 px for "
            "video, at most 1080p for photos); resize it and post it again."
        ),
        "internal": (
            "TikTok failed to process the post because of a problem on its side; "
            "post it again."
        ),
        "video_pull_failed": (
            "TikTok could not download the video from its URL within an hour; "
            "check that the URL is public and reachable, then post it again."
        ),
        "photo_pull_failed": (
            "TikTok could not download the photos from their URLs within an hour; "
            "check that the URLs are public and reachable, then post it again."
        ),
        "publish_cancelled": (
            "The upload was cancelled before TikTok published it, so nothing was "
            "posted; publish it again if it is still wanted."
        ),
        "auth_removed": (
            "The creator removed this app's access while the post was processing; "
            "reconnect the account and post it again."
        ),
        "spam_risk_text": (
            "TikTok judged the caption risky or spammy; rewrite the caption and "
            "post it again."
        ),
        "spam_risk": (
            "TikTok judged this post risky and refused it; review the content "
            "before posting anything similar."
        ),
        # §1.9: OAuth error values.
        "access_denied": (
            "The TikTok user declined to authorise the app; ask them to connect "
            "again and approve the request."
        ),
        "invalid_client": (
            "TikTok rejected the app's client key or secret; check the TikTok app "
            "credentials in the server settings."
        ),
        "invalid_grant": (
            "The TikTok authorisation has expired, was revoked or was already "
            "used; reconnect the account."
        ),
        "invalid_request": (
            "TikTok rejected the authorisation request (often a redirect URI or "
            "PKCE mismatch); check the app's redirect URI settings and connect "
            "again."
        ),
        "invalid_scope": (
            "The app asked TikTok for a permission it is not approved for; check "
            "the app's scopes in the TikTok developer portal."
        ),
        "unauthorized_client": (
            "This TikTok app may not use this kind of authorisation; check its "
            "Login Kit settings in the TikTok developer portal."
        ),
        "unsupported_grant_type": (
            "TikTok did not accept the kind of token request Postdeck sent; report "
            "this to support with the log id."
        ),
        "unsupported_response_type": (
            "TikTok did not accept the kind of authorisation request Postdeck "
            "sent; report this to support with the log id."
        ),
        "server_error": (
            "TikTok's login service had an error; try connecting again in a few "
            "minutes."
        ),
        "temporarily_unavailable": (
            "TikTok's login service is temporarily unavailable; try connecting "
            "again in a few minutes."
        ),
        # Our own codes.
        RANGE_MISMATCH: (
            "TikTok's upload progress did not match the part that was sent; the "
            "upload will resume from where TikTok says it stopped."
        ),
        UPLOAD_URL_EXPIRED: (
            "The TikTok upload link expired (it lasts one hour); start the upload "
            "again."
        ),
        UPLOAD_NOT_FOUND: ("TikTok no longer has this upload; start the upload again."),
        UPLOAD_INVALID_REQUEST: (
            "TikTok rejected an upload part's headers or size; start the upload "
            "again and report it to support if it happens twice."
        ),
        UPLOAD_REJECTED: (
            "TikTok refused an upload part; start the upload again and report it "
            "to support if it happens twice."
        ),
        MALFORMED_RESPONSE: (
            "TikTok sent a reply Postdeck could not read; check the account on "
            "TikTok before trying again."
        ),
        REQUEST_NOT_SENDABLE: (
            "The request to TikTok could not be built (for example a malformed "
            "upload link); start the upload again."
        ),
        INVALID_CALLBACK: (
            "TikTok's redirect back to Postdeck was incomplete; start connecting "
            "the account again."
        ),
    }
)
