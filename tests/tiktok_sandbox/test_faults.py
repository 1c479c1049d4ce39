"""The fault plan: scripted errors, drops and delays, and "expire all tokens"."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.tiktok_sandbox.server import SandboxApi
from tiktok_sandbox import selectors
from tiktok_sandbox.models import (
    Endpoint,
    SandboxCreator,
    SandboxFault,
    SandboxPublish,
)
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_access_tokens_expire_all,
    sandbox_fault_add,
    sandbox_settings_update,
    sandbox_tokens_issue,
)

CHUNK = 5 * 1024 * 1024
VIDEO = os.urandom(3 * CHUNK + 10)
DIRECT = "/v2/post/publish/video/init/"


def direct_body(video: bytes = VIDEO, chunk: int = CHUNK) -> dict[str, Any]:
    return {
        "post_info": {"privacy_level": "SELF_ONLY"},
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": len(video),
            "chunk_size": chunk,
            "total_chunk_count": len(video) // chunk,
        },
    }


def test_chunk_3_fails_with_500_once(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        chunk_number=3,
        action=SandboxFault.Action.RESPOND,
        http_status=500,
    )
    data = sandbox.post(
        DIRECT, token=public_tokens.access_token, body=direct_body()
    ).json()["data"]
    total = len(VIDEO)

    def put(first: int, end: int) -> int:
        return sandbox.put_chunk(
            data["upload_url"], VIDEO[first:end], first=first, total=total
        ).status_code

    # when
    answers = [
        put(0, CHUNK),
        put(CHUNK, 2 * CHUNK),
        put(2 * CHUNK, total),
        put(2 * CHUNK, total),
    ]
    # then
    assert answers == [206, 206, 500, 201]
    publish = SandboxPublish.objects.get(publish_id=data["publish_id"])
    assert publish.received_size == total
    fault = SandboxFault.objects.get()
    assert fault.remaining == 0
    assert fault.times_fired == 1


def test_answer_init_then_drop_the_connection(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    # when
    with pytest.raises(requests.ConnectionError):
        sandbox.post(DIRECT, token=public_tokens.access_token, body=direct_body())
    # then: the publish exists at "TikTok" although the client never heard of it
    assert selectors.sandbox_init_count(creator_open_id=public_creator.open_id) == 1
    (call,) = selectors.sandbox_call_list(endpoint=Endpoint.VIDEO_INIT)
    assert call.is_dropped
    assert call.http_status is None
    assert SandboxPublish.objects.filter(publish_id=call.publish_id).exists()
    retried = sandbox.post(DIRECT, token=public_tokens.access_token, body=direct_body())
    assert retried.status_code == 200
    assert selectors.sandbox_init_count() == 2


def test_act_on_init_then_answer_500(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT,
        action=SandboxFault.Action.RESPOND_AFTER_ACTING,
        http_status=500,
    )
    # when
    response = sandbox.post(
        DIRECT, token=public_tokens.access_token, body=direct_body()
    )
    # then: the client reads a server error, yet the publish exists at "TikTok"
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert selectors.sandbox_init_count(creator_open_id=public_creator.open_id) == 1
    (call,) = selectors.sandbox_call_list(endpoint=Endpoint.VIDEO_INIT)
    assert call.http_status == 500
    assert SandboxPublish.objects.filter(publish_id=call.publish_id).exists()


def test_drop_before_acting_creates_nothing(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=SandboxFault.Action.DROP_BEFORE_ACTING
    )
    # when
    with pytest.raises(requests.ConnectionError):
        sandbox.post(DIRECT, token=public_tokens.access_token, body=direct_body())
    # then
    assert not SandboxPublish.objects.exists()
    assert selectors.sandbox_init_count() == 0


def test_without_a_socket_the_answer_is_held_past_the_read_timeout(
    sandbox_without_socket: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["video.publish"])
    sandbox_settings_update(hang_seconds=0.6)
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    # when
    with pytest.raises(requests.ReadTimeout):
        sandbox_without_socket.post(
            DIRECT, token=tokens.access_token, body=direct_body(), timeout=0.2
        )
    # then
    assert selectors.sandbox_init_count() == 1
    time.sleep(0.6)  # let the held answer finish before the test database goes


def test_respond_with_an_error_code_on_any_endpoint(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO,
        action=SandboxFault.Action.RESPOND,
        http_status=503,
        remaining=2,
    )
    path = "/v2/post/publish/creator_info/query/"
    # when
    answers = [sandbox.post(path, token=public_tokens.access_token) for _ in range(3)]
    # then
    assert [answer.status_code for answer in answers] == [503, 503, 200]
    assert answers[0].json()["error"]["code"] == "internal_error"


def test_fault_limited_to_one_creator(
    sandbox: SandboxApi, public_tokens: IssuedTokens, private_tokens: IssuedTokens
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO,
        action=SandboxFault.Action.RESPOND,
        http_status=429,
        error_code="rate_limit_exceeded",
        creator=SandboxCreator.objects.get(username="sandbox.private"),
        remaining=None,
    )
    path = "/v2/post/publish/creator_info/query/"
    # when
    public = sandbox.post(path, token=public_tokens.access_token)
    private = sandbox.post(path, token=private_tokens.access_token)
    # then
    assert public.status_code == 200
    assert private.status_code == 429
    assert private.json()["error"]["code"] == "rate_limit_exceeded"


def test_delay_then_act(sandbox: SandboxApi, public_tokens: IssuedTokens) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.STATUS_FETCH,
        action=SandboxFault.Action.DELAY,
        delay_seconds=0.3,
    )
    started = time.monotonic()
    # when
    response = sandbox.post(
        "/v2/post/publish/status/fetch/",
        token=public_tokens.access_token,
        body={"publish_id": "v_pub_file~v2-1.1"},
    )
    # then
    assert time.monotonic() - started >= 0.3
    assert response.json()["error"]["code"] == "invalid_publish_id"


def test_refresh_answer_lost_after_rotation(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    form = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "client_secret": settings.TIKTOK_CLIENT_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": public_tokens.refresh_token,
    }
    # when
    with pytest.raises(requests.ConnectionError):
        sandbox.form("/v2/oauth/token/", form)
    retry = sandbox.form("/v2/oauth/token/", form)
    # then: the rotation happened, so the old refresh token is dead
    assert retry.json()["error"] == "invalid_grant"


def test_oauth_fault_answers_the_flat_shape(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN,
        action=SandboxFault.Action.RESPOND,
        http_status=503,
        error_code="temporarily_unavailable",
    )
    # when
    response = sandbox.form(
        "/v2/oauth/token/",
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": public_tokens.refresh_token,
        },
    )
    # then
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"


def test_expire_all_access_tokens_now(
    sandbox: SandboxApi, public_tokens: IssuedTokens, private_tokens: IssuedTokens
) -> None:
    # when
    expired = sandbox_access_tokens_expire_all()
    # then
    assert expired == 2
    for tokens in (public_tokens, private_tokens):
        response = sandbox.post(
            "/v2/post/publish/creator_info/query/", token=tokens.access_token
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "access_token_invalid"
    refreshed = sandbox.form(
        "/v2/oauth/token/",
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": public_tokens.refresh_token,
        },
    )
    assert refreshed.status_code == 200


def test_fault_plan_rejects_incoherent_faults(sandbox: SandboxApi) -> None:
    # then
    with pytest.raises(ValidationError):
        sandbox_fault_add(endpoint=Endpoint.VIDEO_INIT, action="respond")
    with pytest.raises(ValidationError):
        sandbox_fault_add(
            endpoint=Endpoint.VIDEO_INIT,
            action=SandboxFault.Action.FAIL_PROCESSING,
            fail_reason="internal",
        )
    with pytest.raises(ValidationError):
        sandbox_fault_add(
            endpoint=Endpoint.VIDEO_INIT,
            action=SandboxFault.Action.RESPOND,
            http_status=500,
            chunk_number=2,
        )


def test_429_for_90_seconds_with_retry_after(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sandbox_fault_add(
            endpoint=Endpoint.VIDEO_INIT,
            action=SandboxFault.Action.RESPOND,
            http_status=429,
            error_code="rate_limit_exceeded",
            retry_after_seconds=90,
            remaining=None,
            active_for_seconds=90,
        )
        # when
        during = sandbox.post(
            DIRECT, token=public_tokens.access_token, body=direct_body()
        )
    with time_machine.travel(start + timedelta(seconds=91), tick=False):
        after = sandbox.post(
            DIRECT, token=public_tokens.access_token, body=direct_body()
        )
    # then
    assert during.status_code == 429
    assert during.headers["Retry-After"] == "90"
    assert during.json()["error"]["code"] == "rate_limit_exceeded"
    assert after.status_code == 200
