"""TikTok's Display and Content Posting APIs, one method per operation.

Every method takes the user's ``access_token`` and returns a frozen dataclass or
raises a TikTokError subclass (see errors.py for what each one means).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final, TypeVar

import requests

from .chunks import content_range
from .display_types import UserInfo, Video, VideoPage, videos_from_api
from .errors import (
    RANGE_MISMATCH,
    UPLOAD_INVALID_REQUEST,
    UPLOAD_NOT_FOUND,
    UPLOAD_REJECTED,
    UPLOAD_URL_EXPIRED,
    TikTokRangeMismatchError,
    TikTokRejectedError,
    error_from_code,
    malformed_response_error,
    parse_or_malformed,
)
from .facts import MAX_VIDEOS_PER_REQUEST, UPLOAD_CONTENT_TYPES, Endpoint
from .http import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    CallRecord,
    CallRecorder,
    Observed,
    Timeout,
    json_object,
    parse_retry_after,
    send,
)
from .payload import JsonObject
from .posting_types import (
    ChunkUploadResult,
    CreatorInfo,
    FileUploadSource,
    PhotoPostRequest,
    PublishInit,
    PublishStatus,
    VideoPostRequest,
    VideoSource,
)
from .streaming import FileRangeReader

T = TypeVar("T")

UPLOAD_READ_TIMEOUT: Final = 120.0

_JSON_CONTENT_TYPE: Final = "application/json; charset=UTF-8"
_FIELD_NAME = re.compile(r"^[a-z0-9_]+$")
_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+|\*)$")
# RFC 9110's unsatisfied-range form: what a server says when nothing arrived yet.
_CONTENT_RANGE_NOTHING = re.compile(r"^bytes\s+\*/(\d+)$")


def _fields_query(fields: Iterable[str]) -> str:
    # Literal commas, as in TikTok's examples; names are checked so none need quoting.
    names = list(dict.fromkeys(fields))
    if not names or not all(_FIELD_NAME.match(name) for name in names):
        raise ValueError("fields must be one or more lowercase field names.")
    return "?fields=" + ",".join(names)


def _parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """(uploaded_bytes, total) from ``bytes 0-{last}/{total}`` or, before the
    first byte arrived, ``bytes */{total}``; (None, None) for anything else."""
    text = value.strip() if value else ""
    nothing = _CONTENT_RANGE_NOTHING.match(text)
    if nothing is not None:
        return 0, int(nothing[1])
    match = _CONTENT_RANGE.match(text)
    if match is None:
        return None, None
    total = None if match[3] == "*" else int(match[3])
    return int(match[2]) + 1, total


class TikTokClient:
    """Calls the resource APIs at ``api_base_url`` and PUTs chunks to upload URLs."""

    def __init__(
        self,
        *,
        api_base_url: str,
        session: requests.Session,
        on_call: Callable[[CallRecord], None] | None = None,
        timeout: Timeout = (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT),
        upload_timeout: Timeout = (DEFAULT_CONNECT_TIMEOUT, UPLOAD_READ_TIMEOUT),
    ) -> None:
        self._api_base_url = api_base_url.rstrip("/")
        self._session = session
        self._recorder = CallRecorder(on_call)
        self._timeout = timeout
        self._upload_timeout = upload_timeout

    def user_info(self, *, access_token: str, fields: Iterable[str]) -> UserInfo:
        """GET the user's profile fields. Raises TikTokScopeError for a field whose
        scope was not granted, and the other TikTokError subclasses."""
        return self._call(
            Endpoint.USER_INFO,
            _fields_query(fields),
            access_token=access_token,
            method="GET",
            parse=UserInfo.from_api,
        )

    def video_list(
        self,
        *,
        access_token: str,
        fields: Iterable[str],
        cursor: int | None = None,
        max_count: int = MAX_VIDEOS_PER_REQUEST,
    ) -> VideoPage:
        """One page of the user's public videos, newest first. ``cursor`` is the
        previous page's (milliseconds). Raises ValueError if max_count is not
        1-20, and TikTokError subclasses."""
        if not 1 <= max_count <= MAX_VIDEOS_PER_REQUEST:
            raise ValueError(f"max_count must be 1 to {MAX_VIDEOS_PER_REQUEST}.")
        body: JsonObject = {"max_count": max_count}
        if cursor is not None:
            body["cursor"] = cursor
        return self._call(
            Endpoint.VIDEO_LIST,
            _fields_query(fields),
            access_token=access_token,
            body=body,
            parse=VideoPage.from_api,
        )

    def video_query(
        self, *, access_token: str, fields: Iterable[str], video_ids: Sequence[str]
    ) -> tuple[Video, ...]:
        """The user's videos with these ids (unknown ones are left out). Raises
        ValueError for 0 or more than 20 ids, and TikTokError subclasses."""
        if not 1 <= len(video_ids) <= MAX_VIDEOS_PER_REQUEST:
            raise ValueError(f"video_ids must hold 1 to {MAX_VIDEOS_PER_REQUEST} ids.")
        return self._call(
            Endpoint.VIDEO_QUERY,
            _fields_query(fields),
            access_token=access_token,
            body={"filters": {"video_ids": list(video_ids)}},
            parse=videos_from_api,
        )

    def creator_info(self, *, access_token: str) -> CreatorInfo:
        """What the creator may post now. TikTok answers HTTP 200 when the creator
        cannot post; this raises TikTokQuotaError or TikTokAccountBlockedError
        then, and the other TikTokError subclasses otherwise."""
        return self._call(
            Endpoint.CREATOR_INFO,
            access_token=access_token,
            parse=CreatorInfo.from_api,
        )

    def init_direct_video(
        self, *, access_token: str, post: VideoPostRequest, source: VideoSource
    ) -> PublishInit:
        """Start a Direct Post. Raises TikTokAmbiguousError if the answer is lost
        (TikTok may have created the publish), and other TikTokError subclasses."""
        return self._init(
            Endpoint.VIDEO_INIT,
            access_token=access_token,
            body={
                "post_info": post.as_post_info(),
                "source_info": source.as_source_info(),
            },
            expects_upload_url=isinstance(source, FileUploadSource),
        )

    def init_inbox_video(
        self, *, access_token: str, source: VideoSource
    ) -> PublishInit:
        """Send a video to the creator's inbox (no post_info exists for this flow).
        Raises TikTokAmbiguousError if the answer is lost, and other TikTokErrors."""
        return self._init(
            Endpoint.INBOX_VIDEO_INIT,
            access_token=access_token,
            body={"source_info": source.as_source_info()},
            expects_upload_url=isinstance(source, FileUploadSource),
        )

    def init_photo(
        self, *, access_token: str, request: PhotoPostRequest
    ) -> PublishInit:
        """Start a photo post from verified URLs. Raises TikTokAmbiguousError if
        the answer is lost, and other TikTokError subclasses."""
        return self._init(
            Endpoint.CONTENT_INIT,
            access_token=access_token,
            body=request.as_json(),
            expects_upload_url=False,
        )

    def fetch_status(self, *, access_token: str, publish_id: str) -> PublishStatus:
        """The publish's current status. Safe to repeat: a lost answer raises
        TikTokTransientError; other failures raise TikTokError subclasses."""
        return self._call(
            Endpoint.STATUS_FETCH,
            access_token=access_token,
            body={"publish_id": _required(publish_id, "publish_id")},
            parse=PublishStatus.from_api,
        )

    def cancel(self, *, access_token: str, publish_id: str) -> None:
        """Ask TikTok to stop a PULL_FROM_URL download (best effort). Raises
        TikTokRejectedError (e.g. publish_not_cancellable) and other TikTokErrors."""
        self._call(
            Endpoint.CANCEL,
            access_token=access_token,
            body={"publish_id": _required(publish_id, "publish_id")},
            parse=lambda data: None,
        )

    def upload_chunk(
        self,
        *,
        upload_url: str,
        body: bytes | FileRangeReader,
        first: int,
        last: int,
        total: int,
        content_type: str = "video/mp4",
        is_final: bool,
    ) -> ChunkUploadResult:
        """PUT bytes ``first``..``last`` (inclusive) of ``total`` to the opaque
        ``upload_url``, without an Authorization header.

        Returns the result of a 206 (more expected) or 201 (upload complete).
        Raises TikTokRangeMismatchError (416, with TikTok's ``uploaded_bytes``),
        TikTokRejectedError with code upload_url_expired (403), upload_not_found
        (404) or upload_invalid_request (400), TikTokRateLimitedError (429),
        TikTokTransientError (5xx, or a lost answer to a non-final chunk) and
        TikTokAmbiguousError (a lost answer to the final chunk).
        """
        _required(upload_url, "upload_url")
        _check_chunk(body, first=first, last=last, total=total, is_final=is_final)
        if content_type not in UPLOAD_CONTENT_TYPES:
            raise ValueError(
                f"content_type must be one of {sorted(UPLOAD_CONTENT_TYPES)}."
            )
        if isinstance(body, FileRangeReader):
            # A reader left half-read by a failed attempt would send a short body.
            body.seek(0)
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Content-Range": content_range(first, last, total),
        }

        def put() -> Observed[ChunkUploadResult]:
            response = send(
                self._session,
                "PUT",
                upload_url,
                endpoint=Endpoint.UPLOAD_CHUNK,
                timeout=self._upload_timeout,
                outcome_unknown_if_lost=is_final,
                data=body,
                headers=headers,
            )
            result = _chunk_result(response, is_final=is_final)
            return Observed(result, response.status_code, "", "")

        return self._recorder.observe(
            endpoint=Endpoint.UPLOAD_CHUNK, method="PUT", call=put
        )

    def _init(
        self,
        endpoint: Endpoint,
        *,
        access_token: str,
        body: JsonObject,
        expects_upload_url: bool,
    ) -> PublishInit:
        return self._call(
            endpoint,
            access_token=access_token,
            body=body,
            parse=lambda data: PublishInit.from_api(
                data, expects_upload_url=expects_upload_url
            ),
            outcome_unknown_if_lost=True,
        )

    def _call(
        self,
        endpoint: Endpoint,
        query: str = "",
        *,
        access_token: str,
        parse: Callable[[JsonObject], T],
        body: JsonObject | None = None,
        method: str = "POST",
        outcome_unknown_if_lost: bool = False,
    ) -> T:
        headers = {"Authorization": f"Bearer {_required(access_token, 'access_token')}"}
        if method == "POST":
            headers["Content-Type"] = _JSON_CONTENT_TYPE
        data = None if body is None else json.dumps(body).encode("utf-8")

        def call() -> Observed[T]:
            response = send(
                self._session,
                method,
                self._api_base_url + endpoint.path + query,
                endpoint=endpoint,
                timeout=self._timeout,
                outcome_unknown_if_lost=outcome_unknown_if_lost,
                data=data,
                headers=headers,
            )
            payload, log_id = _read_envelope(
                response, endpoint=endpoint, outcome_unknown=outcome_unknown_if_lost
            )
            value = parse_or_malformed(
                parse,
                payload,
                endpoint=endpoint,
                http_status=response.status_code,
                log_id=log_id,
                outcome_unknown=outcome_unknown_if_lost,
            )
            return Observed(value, response.status_code, "ok", log_id)

        return self._recorder.observe(endpoint=endpoint, method=method, call=call)


def _required(value: str, name: str) -> str:
    if not value:
        raise ValueError(f"{name} is required.")
    return value


def _read_envelope(
    response: requests.Response, *, endpoint: str, outcome_unknown: bool
) -> tuple[JsonObject, str]:
    """Return (data, log_id) of an ``ok`` envelope or raise the mapped error.

    The HTTP status is checked first, then ``error.code``: TikTok answers some
    refusals (creator_info's spam_risk_*) with HTTP 200.
    """
    envelope = json_object(response) or {}
    error = envelope.get("error")
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    message = str(error.get("message") or "")
    # The doc tables name it "logid"; every example says "log_id".
    log_id = str(error.get("log_id") or error.get("logid") or "")
    status = response.status_code
    succeeded = 200 <= status < 300
    if succeeded and code == "ok":
        data = envelope.get("data")
        if data is None:
            return {}, log_id
        if isinstance(data, dict):
            return data, log_id
    if succeeded and code in ("", "ok"):
        raise malformed_response_error(
            endpoint=endpoint,
            http_status=status,
            detail="The response has no readable error.code or data.",
            log_id=log_id,
            outcome_unknown=outcome_unknown,
        )
    raise error_from_code(
        endpoint=endpoint,
        http_status=status,
        code="" if code == "ok" else code,
        message=message,
        log_id=log_id,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        outcome_unknown_on_gateway_timeout=outcome_unknown,
    )


def _check_chunk(
    body: bytes | FileRangeReader, *, first: int, last: int, total: int, is_final: bool
) -> None:
    if not 0 <= first <= last < total:
        raise ValueError(f"Invalid chunk range {first}-{last} of {total} bytes.")
    if len(body) != last - first + 1:
        raise ValueError(
            f"The body holds {len(body)} bytes but the range {first}-{last} needs "
            f"{last - first + 1}."
        )
    if is_final != (last == total - 1):
        raise ValueError("is_final must be true exactly for the chunk ending the file.")


_UPLOAD_REFUSAL_CODES: Final = {
    400: UPLOAD_INVALID_REQUEST,
    403: UPLOAD_URL_EXPIRED,
    404: UPLOAD_NOT_FOUND,
}


def _chunk_result(response: requests.Response, *, is_final: bool) -> ChunkUploadResult:
    status = response.status_code
    uploaded_bytes, total = _parse_content_range(response.headers.get("Content-Range"))
    if status in (201, 206):
        return ChunkUploadResult(
            http_status=status,
            uploaded_bytes=uploaded_bytes,
            total=total,
            is_complete=status == 201,
        )
    if status == 416:
        raise TikTokRangeMismatchError(
            code=RANGE_MISMATCH,
            message=f"TikTok reports {uploaded_bytes} bytes received.",
            http_status=status,
            endpoint=Endpoint.UPLOAD_CHUNK,
            uploaded_bytes=uploaded_bytes,
        )
    if 200 <= status < 300:
        raise malformed_response_error(
            endpoint=Endpoint.UPLOAD_CHUNK,
            http_status=status,
            detail="The upload answered neither 201 nor 206.",
            outcome_unknown=is_final,
        )
    if status == 429 or status >= 500:
        raise error_from_code(
            endpoint=Endpoint.UPLOAD_CHUNK,
            http_status=status,
            code="",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            outcome_unknown_on_gateway_timeout=is_final,
        )
    raise TikTokRejectedError(
        code=_UPLOAD_REFUSAL_CODES.get(status, UPLOAD_REJECTED),
        http_status=status,
        endpoint=Endpoint.UPLOAD_CHUNK,
    )
