"""Every documented error code, on the endpoint that returns it, gets the right class.

The expected tables below are written from docs/tiktok.md (§1.9, §3.5, §4, §5.1,
§5.2) and docs/reliability.md §5, not copied from errors.py.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from tiktok_integration.client import (
    ERROR_CLASS_BY_CODE,
    FileUploadSource,
    PhotoPostRequest,
    PostMode,
    PullFromUrlSource,
    TikTokAccountBlockedError,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokError,
    TikTokOAuthClient,
    TikTokQuotaError,
    TikTokRateLimitedError,
    TikTokReauthError,
    TikTokRejectedError,
    TikTokScopeError,
    TikTokTransientError,
    VideoPostRequest,
    describe_fail_reason,
)
from tiktok_integration.client.errors import STAFF_MESSAGE_BY_CODE, error_from_code

from .support import (
    ACCESS_TOKEN,
    API_BASE,
    LOG_ID,
    REFRESH_TOKEN,
    envelope,
)

EXPECTED_CLASS_BY_CODE: dict[str, type[TikTokError]] = {
    "access_token_invalid": TikTokReauthError,
    "scope_not_authorized": TikTokScopeError,
    "scope_permission_missed": TikTokScopeError,
    "invalid_params": TikTokRejectedError,
    "invalid_param": TikTokRejectedError,
    "invalid_file_upload": TikTokRejectedError,
    "app_version_check_failed": TikTokRejectedError,
    "invalid_publish_id": TikTokRejectedError,
    "token_not_authorized_for_specified_publish_id": TikTokRejectedError,
    "publish_not_cancellable": TikTokRejectedError,
    "unaudited_client_can_only_post_to_private_accounts": TikTokRejectedError,
    "url_ownership_unverified": TikTokRejectedError,
    "privacy_level_option_mismatch": TikTokRejectedError,
    "spam_risk_too_many_posts": TikTokQuotaError,
    "spam_risk_too_many_pending_share": TikTokQuotaError,
    "reached_active_user_cap": TikTokQuotaError,
    "spam_risk_user_banned_from_posting": TikTokAccountBlockedError,
    "rate_limit_exceeded": TikTokRateLimitedError,
    "internal_error": TikTokTransientError,
}

# (code, HTTP status) per endpoint, from §3.5 and §4.2-§4.9.
EVERY_RESOURCE_API = [
    ("access_token_invalid", 401),
    ("scope_not_authorized", 401),
    ("rate_limit_exceeded", 429),
    ("internal_error", 500),
]
DOCUMENTED_ERRORS: dict[str, list[tuple[str, int]]] = {
    "user_info": [
        *EVERY_RESOURCE_API,
        ("scope_permission_missed", 400),
        ("invalid_params", 400),
    ],
    "video_list": [*EVERY_RESOURCE_API, ("invalid_params", 400)],
    "video_query": [*EVERY_RESOURCE_API, ("invalid_params", 400)],
    "creator_info": [
        *EVERY_RESOURCE_API,
        ("spam_risk_too_many_posts", 200),
        ("spam_risk_user_banned_from_posting", 200),
        ("reached_active_user_cap", 200),
    ],
    "init_direct_video": [
        *EVERY_RESOURCE_API,
        ("invalid_param", 400),
        ("invalid_file_upload", 400),
        ("spam_risk_too_many_posts", 403),
        ("spam_risk_user_banned_from_posting", 403),
        ("reached_active_user_cap", 403),
        ("unaudited_client_can_only_post_to_private_accounts", 403),
        ("url_ownership_unverified", 403),
        ("privacy_level_option_mismatch", 403),
    ],
    "init_inbox_video": [
        *EVERY_RESOURCE_API,
        ("invalid_param", 400),
        ("spam_risk_too_many_pending_share", 403),
        ("spam_risk_user_banned_from_posting", 403),
        ("url_ownership_unverified", 403),
    ],
    "init_photo": [
        *EVERY_RESOURCE_API,
        ("invalid_param", 400),
        ("app_version_check_failed", 400),
        ("spam_risk_too_many_posts", 403),
        ("spam_risk_user_banned_from_posting", 403),
        ("spam_risk_too_many_pending_share", 403),
        ("reached_active_user_cap", 403),
        ("unaudited_client_can_only_post_to_private_accounts", 403),
        ("url_ownership_unverified", 403),
        ("privacy_level_option_mismatch", 403),
    ],
    "fetch_status": [
        *EVERY_RESOURCE_API,
        ("invalid_publish_id", 400),
        ("token_not_authorized_for_specified_publish_id", 400),
    ],
    "cancel": [
        *EVERY_RESOURCE_API,
        ("invalid_publish_id", 400),
        ("token_not_authorized_for_specified_publish_id", 400),
        ("publish_not_cancellable", 400),
        ("url_ownership_unverified", 403),
    ],
}

FAIL_REASONS = [
    "file_format_check_failed",
    "duration_check_failed",
    "frame_rate_check_failed",
    "picture_size_check_failed",
    "internal",
    "video_pull_failed",
    "photo_pull_failed",
    "publish_cancelled",
    "auth_removed",
    "spam_risk_too_many_posts",
    "spam_risk_user_banned_from_posting",
    "spam_risk_text",
    "spam_risk",
]

OAUTH_ERROR_CLASSES: dict[str, type[TikTokError]] = {
    "access_denied": TikTokRejectedError,
    "invalid_client": TikTokRejectedError,
    "invalid_grant": TikTokReauthError,
    "invalid_request": TikTokRejectedError,
    "invalid_scope": TikTokRejectedError,
    "unauthorized_client": TikTokRejectedError,
    "unsupported_grant_type": TikTokRejectedError,
    "unsupported_response_type": TikTokRejectedError,
    "server_error": TikTokTransientError,
    "temporarily_unavailable": TikTokTransientError,
}

VIDEO_URL = "https://media.example.com/v/clip.mp4"
Operation = Callable[[TikTokClient], Any]

# operation name -> (path, HTTP method, call)
OPERATIONS: dict[str, tuple[str, str, Operation]] = {
    "user_info": (
        "/v2/user/info/",
        "GET",
        lambda c: c.user_info(access_token=ACCESS_TOKEN, fields=["open_id"]),
    ),
    "video_list": (
        "/v2/video/list/",
        "POST",
        lambda c: c.video_list(access_token=ACCESS_TOKEN, fields=["id"]),
    ),
    "video_query": (
        "/v2/video/query/",
        "POST",
        lambda c: c.video_query(
            access_token=ACCESS_TOKEN, fields=["id"], video_ids=["1"]
        ),
    ),
    "creator_info": (
        "/v2/post/publish/creator_info/query/",
        "POST",
        lambda c: c.creator_info(access_token=ACCESS_TOKEN),
    ),
    "init_direct_video": (
        "/v2/post/publish/video/init/",
        "POST",
        lambda c: c.init_direct_video(
            access_token=ACCESS_TOKEN,
            post=VideoPostRequest(privacy_level="SELF_ONLY"),
            source=FileUploadSource(3_000_000, 3_000_000, 1),
        ),
    ),
    "init_inbox_video": (
        "/v2/post/publish/inbox/video/init/",
        "POST",
        lambda c: c.init_inbox_video(
            access_token=ACCESS_TOKEN, source=PullFromUrlSource(VIDEO_URL)
        ),
    ),
    "init_photo": (
        "/v2/post/publish/content/init/",
        "POST",
        lambda c: c.init_photo(
            access_token=ACCESS_TOKEN,
            request=PhotoPostRequest(
                post_mode=PostMode.MEDIA_UPLOAD,
                photo_images=("https://media.example.com/p/1.jpg",),
            ),
        ),
    ),
    "fetch_status": (
        "/v2/post/publish/status/fetch/",
        "POST",
        lambda c: c.fetch_status(access_token=ACCESS_TOKEN, publish_id="v_pub_file~1"),
    ),
    "cancel": (
        "/v2/post/publish/cancel/",
        "POST",
        lambda c: c.cancel(access_token=ACCESS_TOKEN, publish_id="v_pub_url~v2.1"),
    ),
}
INITS = ["init_direct_video", "init_inbox_video", "init_photo"]
REPEATABLE = [name for name in OPERATIONS if name not in INITS]


def _register(
    mock: responses.RequestsMock, operation: str, **response_kwargs: Any
) -> None:
    path, method, _ = OPERATIONS[operation]
    mock.add(method, f"{API_BASE}{path}", **response_kwargs)


def _call(operation: str, client: TikTokClient) -> Any:
    return OPERATIONS[operation][2](client)


@pytest.mark.parametrize(
    ("operation", "code", "http_status"),
    [
        (operation, code, status)
        for operation, rows in DOCUMENTED_ERRORS.items()
        for code, status in rows
    ],
)
def test_documented_error_maps_to_its_class(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    operation: str,
    code: str,
    http_status: int,
) -> None:
    # Given the endpoint answers with a documented error code and status,
    # (the error envelope carries no data, as TikTok may send it)
    _register(
        mocked_responses,
        operation,
        json=envelope(code=code, message="refused"),
        status=http_status,
    )

    # when the operation is called,
    with pytest.raises(TikTokError) as caught:
        _call(operation, client)

    # then the error has exactly the expected class and carries the details.
    error = caught.value
    assert type(error) is EXPECTED_CLASS_BY_CODE[code]
    assert (error.code, error.http_status, error.log_id) == (code, http_status, LOG_ID)
    assert error.endpoint
    assert error.staff_message == STAFF_MESSAGE_BY_CODE[code]


@pytest.mark.parametrize("data", [None, {}])
def test_error_with_absent_or_empty_data_is_accepted(
    client: TikTokClient, mocked_responses: responses.RequestsMock, data: Any
) -> None:
    # Given an error envelope with data absent or {},
    body = envelope(code="invalid_param")
    if data is not None:
        body["data"] = data
    _register(mocked_responses, "init_direct_video", json=body, status=400)

    # then the code, not a parsing failure, decides the outcome.
    with pytest.raises(TikTokRejectedError) as caught:
        _call("init_direct_video", client)
    assert caught.value.code == "invalid_param"


def test_every_code_in_the_module_table_agrees_with_the_reference() -> None:
    # Given the module's own classification table,
    for code, error_class in ERROR_CLASS_BY_CODE.items():
        # then documented codes have the class the reference gives them,
        if code in EXPECTED_CLASS_BY_CODE:
            assert error_class is EXPECTED_CLASS_BY_CODE[code], code
        if code in OAUTH_ERROR_CLASSES:
            assert error_class is OAUTH_ERROR_CLASSES[code], code
        # classification with a 4xx status produces that class,
        status = 429 if error_class is TikTokRateLimitedError else 400
        built = error_from_code(endpoint="any", http_status=status, code=code)
        assert type(built) is error_class, code
        # and every code has its own staff sentence.
        assert STAFF_MESSAGE_BY_CODE[code].endswith("."), code


def test_every_documented_code_is_in_the_module_table() -> None:
    documented = set(EXPECTED_CLASS_BY_CODE) | set(OAUTH_ERROR_CLASSES)
    assert documented <= set(ERROR_CLASS_BY_CODE)


@pytest.mark.parametrize("code", sorted(EXPECTED_CLASS_BY_CODE))
def test_staff_message_is_a_specific_sentence_for_every_api_code(code: str) -> None:
    error = TikTokRejectedError(code=code)
    assert error.staff_message == STAFF_MESSAGE_BY_CODE[code]
    assert error.staff_message != TikTokRejectedError.default_staff_message
    assert error.staff_message.endswith(".")
    assert ";" in error.staff_message  # what went wrong; what to do


@pytest.mark.parametrize("reason", FAIL_REASONS)
def test_every_fail_reason_has_its_own_sentence(reason: str) -> None:
    sentence = describe_fail_reason(reason)
    assert sentence == STAFF_MESSAGE_BY_CODE[reason]
    assert sentence.endswith(".")
    assert TikTokRejectedError(code=reason).staff_message == sentence


def test_unknown_fail_reason_still_gets_a_sentence() -> None:
    assert "'brand_new_reason'" in describe_fail_reason("brand_new_reason")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_with_an_empty_code_is_transient(
    client: TikTokClient, mocked_responses: responses.RequestsMock, status: int
) -> None:
    # Given a gateway answering with HTML instead of the envelope,
    _register(
        mocked_responses, "fetch_status", body="<html>Bad gateway</html>", status=status
    )

    # then the call is transient with no TikTok code.
    with pytest.raises(TikTokTransientError) as caught:
        _call("fetch_status", client)
    assert caught.value.code == ""
    assert caught.value.http_status == status


def test_504_on_init_is_ambiguous_but_on_status_is_transient(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a gateway timeout (TikTok may still have acted behind it),
    _register(mocked_responses, "init_direct_video", body="", status=504)
    _register(mocked_responses, "fetch_status", body="", status=504)

    # then an init cannot be assumed undone, while a status read can be repeated.
    with pytest.raises(TikTokAmbiguousError):
        _call("init_direct_video", client)
    with pytest.raises(TikTokTransientError):
        _call("fetch_status", client)


@pytest.mark.parametrize(
    ("header", "expected"), [(None, None), ("30", 30.0), ("0.5", 0.5), ("soon", None)]
)
def test_429_carries_retry_after_only_when_given(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    header: str | None,
    expected: float | None,
) -> None:
    headers = {"Retry-After": header} if header else {}
    _register(
        mocked_responses,
        "init_direct_video",
        json=envelope(code="rate_limit_exceeded"),
        status=429,
        headers=headers,
    )
    with pytest.raises(TikTokRateLimitedError) as caught:
        _call("init_direct_video", client)
    assert caught.value.retry_after == expected


def test_unknown_401_code_still_means_reauth(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given an undocumented 401 code some clients report,
    _register(
        mocked_responses,
        "user_info",
        json=envelope(code="access_token_expired"),
        status=401,
    )
    with pytest.raises(TikTokReauthError) as caught:
        _call("user_info", client)
    assert type(caught.value) is TikTokReauthError


def test_unknown_code_on_http_200_is_a_rejection(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given HTTP 200 with any code but "ok", then it is a failure.
    _register(mocked_responses, "creator_info", json=envelope(code="something_new"))
    with pytest.raises(TikTokRejectedError):
        _call("creator_info", client)


@pytest.mark.parametrize("operation", INITS)
@pytest.mark.parametrize(
    "lost_answer",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError(ProtocolError("Connection aborted.")),
        requests.exceptions.ChunkedEncodingError("incomplete"),
    ],
    ids=["read-timeout", "reset", "truncated-body"],
)
def test_lost_answer_to_an_init_is_ambiguous(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    operation: str,
    lost_answer: Exception,
) -> None:
    # Given an init whose answer never arrives,
    _register(mocked_responses, operation, body=lost_answer)

    # then nobody can tell whether TikTok created the publish.
    with pytest.raises(TikTokAmbiguousError) as caught:
        _call(operation, client)
    assert caught.value.http_status is None


@pytest.mark.parametrize("operation", REPEATABLE)
def test_read_timeout_on_a_repeatable_call_is_transient(
    client: TikTokClient, mocked_responses: responses.RequestsMock, operation: str
) -> None:
    _register(mocked_responses, operation, body=requests.exceptions.ReadTimeout())
    with pytest.raises(TikTokTransientError):
        _call(operation, client)


@pytest.mark.parametrize(
    "never_connected",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ConnectionError(
            MaxRetryError(
                pool=None,  # type: ignore[arg-type]
                url="/v2/post/publish/video/init/",
                reason=NewConnectionError(None, "Connection refused"),  # type: ignore[arg-type]
            )
        ),
    ],
    ids=["connect-timeout", "connection-refused"],
)
def test_connection_failure_before_sending_an_init_is_transient(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    never_connected: Exception,
) -> None:
    # Given the connection never opened, then nothing reached TikTok.
    _register(mocked_responses, "init_direct_video", body=never_connected)
    with pytest.raises(TikTokTransientError) as caught:
        _call("init_direct_video", client)
    assert caught.value.code == "connection_failed"


@pytest.mark.parametrize(("error", "expected"), sorted(OAUTH_ERROR_CLASSES.items()))
@pytest.mark.parametrize("http_status", [200, 400])
def test_oauth_errors_map_whatever_the_http_status(
    oauth_client: TikTokOAuthClient,
    mocked_responses: responses.RequestsMock,
    error: str,
    expected: type[TikTokError],
    http_status: int,
) -> None:
    # Given the token endpoint answers with a flat OAuth error (even on HTTP 200),
    mocked_responses.post(
        f"{API_BASE}/v2/oauth/token/",
        json={"error": error, "error_description": "nope", "log_id": LOG_ID},
        status=http_status,
    )

    # when the tokens are refreshed, then the error class follows the code.
    with pytest.raises(TikTokError) as caught:
        oauth_client.refresh(refresh_token=REFRESH_TOKEN)
    assert type(caught.value) is expected
    assert (caught.value.code, caught.value.log_id) == (error, LOG_ID)


def test_errors_survive_pickling_for_task_results() -> None:
    # Given errors with extra attributes, then a pickle round trip keeps them.
    limited = TikTokRateLimitedError(
        code="rate_limit_exceeded", http_status=429, retry_after=3.0
    )
    # Only an object this test just built is unpickled.
    restored = pickle.loads(pickle.dumps(limited))  # noqa: S301
    assert type(restored) is TikTokRateLimitedError
    assert (restored.code, restored.http_status, restored.retry_after) == (
        "rate_limit_exceeded",
        429,
        3.0,
    )
    assert str(restored) == str(limited)


def test_str_of_an_error_hides_url_queries_and_tokens() -> None:
    # Given a message that echoes a URL with a token and a bearer token,
    error = TikTokRejectedError(
        code="invalid_param",
        message=(
            f"bad https://open-upload.tiktokapis.com/video/?upload_token=abc "
            f"for {ACCESS_TOKEN}"
        ),
        endpoint="video_init",
    )

    # then neither reaches str() or repr().
    for text in (str(error), repr(error)):
        assert "upload_token=abc" not in text
        assert ACCESS_TOKEN not in text
    assert "video_init: invalid_param (no HTTP response, log_id -)" in str(error)
