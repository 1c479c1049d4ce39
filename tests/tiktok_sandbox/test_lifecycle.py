"""After init: status moving through TikTok's states, drafts, cancel, pulls,
and the signed webhooks that go with them."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from datetime import timedelta
from typing import Any

import time_machine
from django.conf import settings
from django.utils import timezone

from tests.tiktok_sandbox.server import (
    LocalHttpServer,
    SandboxApi,
)
from tiktok_integration.client.webhooks import verify_signature
from tiktok_sandbox import selectors
from tiktok_sandbox.models import (
    Endpoint,
    SandboxCreator,
    SandboxFault,
    SandboxPublish,
    SandboxWebhookDelivery,
)
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_advance,
    sandbox_creator_post_draft,
    sandbox_creator_remove_authorization,
    sandbox_fault_add,
    sandbox_settings_update,
    sandbox_webhook_redeliver,
)
from tiktok_sandbox.tasks import sandbox_advance_task

VIDEO = os.urandom(2048)
FILE_SOURCE = {
    "source": "FILE_UPLOAD",
    "video_size": len(VIDEO),
    "chunk_size": len(VIDEO),
    "total_chunk_count": 1,
}


def post_video(
    sandbox: SandboxApi,
    tokens: IssuedTokens,
    *,
    privacy: str = "PUBLIC_TO_EVERYONE",
    inbox: bool = False,
) -> str:
    if inbox:
        path, body = "/v2/post/publish/inbox/video/init/", {"source_info": FILE_SOURCE}
    else:
        path = "/v2/post/publish/video/init/"
        body = {
            "post_info": {"privacy_level": privacy, "title": "lifecycle"},
            "source_info": FILE_SOURCE,
        }
    data = sandbox.post(path, token=tokens.access_token, body=body).json()["data"]
    uploaded = sandbox.put_chunk(data["upload_url"], VIDEO, first=0, total=len(VIDEO))
    assert uploaded.status_code == 201
    return str(data["publish_id"])


def status(sandbox: SandboxApi, tokens: IssuedTokens, publish_id: str) -> Any:
    response = sandbox.post(
        "/v2/post/publish/status/fetch/",
        token=tokens.access_token,
        body={"publish_id": publish_id},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_direct_public_post_moves_through_processing_and_moderation(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(processing_delay_seconds=30, moderation_delay_seconds=60)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        publish_id = post_video(sandbox, public_tokens)
        # when / then
        assert status(sandbox, public_tokens, publish_id) == {
            "status": "PROCESSING_UPLOAD",
            "publicaly_available_post_id": [],
            "uploaded_bytes": len(VIDEO),
        }
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        completed = status(sandbox, public_tokens, publish_id)
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        public = status(sandbox, public_tokens, publish_id)
    assert completed["status"] == "PUBLISH_COMPLETE"
    assert completed["publicaly_available_post_id"] == []
    assert public["status"] == "PUBLISH_COMPLETE"
    (post_id,) = public["publicaly_available_post_id"]
    assert isinstance(post_id, int)
    assert len(str(post_id)) == 19
    assert selectors.sandbox_completed_publish_count() == 1


def test_private_post_completes_without_a_post_id(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    publish_id = post_video(sandbox, public_tokens, privacy="SELF_ONLY")
    # when
    sandbox_advance(now=timezone.now() + timedelta(days=1), deliver_webhooks=False)
    data = status(sandbox, public_tokens, publish_id)
    # then
    assert data["status"] == "PUBLISH_COMPLETE"
    assert data["publicaly_available_post_id"] == []


def test_status_of_unknown_or_foreign_publish(
    sandbox: SandboxApi, public_tokens: IssuedTokens, private_tokens: IssuedTokens
) -> None:
    # given
    publish_id = post_video(sandbox, public_tokens)

    def fetch(tokens: IssuedTokens, publish: str) -> tuple[int, str]:
        response = sandbox.post(
            "/v2/post/publish/status/fetch/",
            token=tokens.access_token,
            body={"publish_id": publish},
        )
        return response.status_code, response.json()["error"]["code"]

    # then
    assert fetch(public_tokens, "v_pub_file~v2-1.1") == (400, "invalid_publish_id")
    assert fetch(private_tokens, publish_id) == (
        400,
        "token_not_authorized_for_specified_publish_id",
    )


def test_status_fetch_allows_30_per_minute(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    publish_id = post_video(sandbox, public_tokens)
    for _ in range(30):
        status(sandbox, public_tokens, publish_id)
    # when
    response = sandbox.post(
        "/v2/post/publish/status/fetch/",
        token=public_tokens.access_token,
        body={"publish_id": publish_id},
    )
    # then
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


def test_inbox_draft_waits_for_the_creator(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    publish_id = post_video(sandbox, public_tokens, inbox=True)
    # when
    in_inbox = status(sandbox, public_tokens, publish_id)
    sandbox_advance(now=timezone.now() + timedelta(days=1), deliver_webhooks=False)
    still_in_inbox = status(sandbox, public_tokens, publish_id)
    video = sandbox_creator_post_draft(
        publish=SandboxPublish.objects.get(publish_id=publish_id)
    )
    posted = status(sandbox, public_tokens, publish_id)
    # then
    assert in_inbox["status"] == "SEND_TO_USER_INBOX"
    assert still_in_inbox["status"] == "SEND_TO_USER_INBOX"
    assert video.privacy_level == "PUBLIC_TO_EVERYONE"
    assert posted["status"] == "PUBLISH_COMPLETE"
    assert posted["publicaly_available_post_id"] == [int(video.video_id)]


def test_processing_fault_fails_with_its_reason_and_webhook(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given: "publish fails with frame_rate_check_failed"
    sandbox_settings_update(webhooks_enabled=True)
    sandbox_fault_add(
        endpoint=Endpoint.PROCESSING,
        action=SandboxFault.Action.FAIL_PROCESSING,
        fail_reason="frame_rate_check_failed",
    )
    publish_id = post_video(sandbox, public_tokens)
    # when
    data = status(sandbox, public_tokens, publish_id)
    second = status(sandbox, public_tokens, post_video(sandbox, public_tokens))
    # then
    assert data["status"] == "FAILED"
    assert data["fail_reason"] == "frame_rate_check_failed"
    assert second["status"] == "PUBLISH_COMPLETE"
    failed = SandboxWebhookDelivery.objects.get(event="post.publish.failed")
    content = json.loads(json.loads(failed.body)["content"])
    assert content == {
        "publish_id": publish_id,
        "publish_type": "DIRECT_PUBLISH",
        "reason": "frame_rate_check_failed",
    }


def test_pull_from_url_downloads_and_hashes_the_media(
    sandbox: SandboxApi, public_tokens: IssuedTokens, local_http: LocalHttpServer
) -> None:
    # given
    local_http.files["/videos/clip.mp4"] = VIDEO
    sandbox_settings_update(verified_url_prefixes=[f"{local_http.url}/videos/"])
    body = {
        "post_info": {"privacy_level": "SELF_ONLY"},
        "source_info": {
            "source": "PULL_FROM_URL",
            "video_url": f"{local_http.url}/videos/clip.mp4",
        },
    }
    data = sandbox.post(
        "/v2/post/publish/video/init/", token=public_tokens.access_token, body=body
    ).json()["data"]
    # when
    result = status(sandbox, public_tokens, data["publish_id"])
    # then
    assert result["status"] == "PUBLISH_COMPLETE"
    assert result["downloaded_bytes"] == len(VIDEO)
    publish = SandboxPublish.objects.get(publish_id=data["publish_id"])
    assert publish.received_sha256 == hashlib.sha256(VIDEO).hexdigest()


def test_unreachable_pull_url_fails_with_video_pull_failed(
    sandbox: SandboxApi, public_tokens: IssuedTokens, local_http: LocalHttpServer
) -> None:
    # given
    sandbox_settings_update(verified_url_prefixes=[f"{local_http.url}/videos/"])
    body = {
        "post_info": {"privacy_level": "SELF_ONLY"},
        "source_info": {
            "source": "PULL_FROM_URL",
            "video_url": f"{local_http.url}/videos/missing.mp4",
        },
    }
    publish_id = sandbox.post(
        "/v2/post/publish/video/init/", token=public_tokens.access_token, body=body
    ).json()["data"]["publish_id"]
    # when
    result = status(sandbox, public_tokens, publish_id)
    # then
    assert result["status"] == "FAILED"
    assert result["fail_reason"] == "video_pull_failed"


def test_cancel_only_a_pull_that_has_not_started(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(processing_delay_seconds=600)
    body = {
        "post_info": {"privacy_level": "SELF_ONLY"},
        "source_info": {
            "source": "PULL_FROM_URL",
            "video_url": f"{sandbox.url}/media/clip.mp4",
        },
    }
    pull_id = sandbox.post(
        "/v2/post/publish/video/init/", token=public_tokens.access_token, body=body
    ).json()["data"]["publish_id"]
    file_id = post_video(sandbox, public_tokens)

    def cancel(publish_id: str) -> Any:
        return sandbox.post(
            "/v2/post/publish/cancel/",
            token=public_tokens.access_token,
            body={"publish_id": publish_id},
        )

    # when
    cancelled = cancel(pull_id)
    again = cancel(pull_id)
    upload = cancel(file_id)
    # then
    assert cancelled.status_code == 200
    assert "data" not in cancelled.json()
    assert cancelled.json()["error"]["code"] == "ok"
    assert status(sandbox, public_tokens, pull_id) == {
        "status": "FAILED",
        "fail_reason": "publish_cancelled",
        "publicaly_available_post_id": [],
        "downloaded_bytes": 0,
    }
    assert again.json()["error"]["code"] == "publish_not_cancellable"
    assert upload.status_code == 400
    assert upload.json()["error"]["code"] == "publish_not_cancellable"


def test_webhooks_are_signed_and_sent_once(
    sandbox: SandboxApi, public_tokens: IssuedTokens, local_http: LocalHttpServer
) -> None:
    # given
    sandbox_settings_update(
        webhooks_enabled=True, webhook_url=f"{local_http.url}/tiktok/webhook/"
    )
    publish_id = post_video(sandbox, public_tokens)
    # when: the task and a second worker both run
    sandbox_advance_task()
    sandbox_advance_task()
    # then
    events = [json.loads(hit.body) for hit in local_http.received]
    assert [event["event"] for event in events] == [
        "post.publish.complete",
        "post.publish.publicly_available",
    ]
    for hit, event in zip(local_http.received, events, strict=True):
        header = hit.headers["TikTok-Signature"]
        timestamp, signature = (part.split("=", 1)[1] for part in header.split(","))
        expected = hmac.new(
            settings.TIKTOK_CLIENT_SECRET.encode(),
            f"{timestamp}.".encode() + hit.body,
            hashlib.sha256,
        ).hexdigest()
        assert signature == expected
        verify_signature(
            client_secret=settings.TIKTOK_CLIENT_SECRET,
            header=header,
            raw_body=hit.body,
            now=time.time(),
        )
        assert event["client_key"] == settings.TIKTOK_CLIENT_KEY
        assert event["user_openid"] == public_tokens.open_id
        assert isinstance(event["create_time"], int)
        assert isinstance(event["content"], str)
    complete, public = (json.loads(event["content"]) for event in events)
    assert complete == {"publish_id": publish_id, "publish_type": "DIRECT_PUBLISH"}
    assert public["publish_id"] == publish_id
    assert len(public["post_id"]) == 19


def test_inbox_webhooks(
    sandbox: SandboxApi, public_tokens: IssuedTokens, local_http: LocalHttpServer
) -> None:
    # given
    sandbox_settings_update(
        webhooks_enabled=True, webhook_url=f"{local_http.url}/tiktok/webhook/"
    )
    publish_id = post_video(sandbox, public_tokens, inbox=True)
    sandbox_advance()
    # when
    sandbox_creator_post_draft(
        publish=SandboxPublish.objects.get(publish_id=publish_id),
        privacy_level="SELF_ONLY",
    )
    sandbox_advance()
    # then
    events = [json.loads(hit.body) for hit in local_http.received]
    assert [event["event"] for event in events] == [
        "post.publish.inbox_delivered",
        "post.publish.complete",
    ]
    assert json.loads(events[0]["content"])["publish_type"] == "INBOX_SHARE"


def test_failed_webhook_delivery_is_retried_later(
    sandbox: SandboxApi, public_tokens: IssuedTokens, local_http: LocalHttpServer
) -> None:
    # given
    sandbox_settings_update(
        webhooks_enabled=True, webhook_url=f"{local_http.url}/tiktok/webhook/"
    )
    post_video(sandbox, public_tokens, privacy="SELF_ONLY")
    local_http.status = 500
    now = timezone.now()
    sandbox_advance(now=now)
    # when
    local_http.status = 200
    sandbox_advance(now=now + timedelta(seconds=5))
    sandbox_advance(now=now + timedelta(seconds=31))
    # then
    delivery = SandboxWebhookDelivery.objects.get()
    assert len(local_http.received) == 2
    assert delivery.attempt_count == 2
    assert delivery.delivered_at is not None


def test_redelivery_sends_the_same_body(
    sandbox: SandboxApi, public_tokens: IssuedTokens, local_http: LocalHttpServer
) -> None:
    # given
    sandbox_settings_update(
        webhooks_enabled=True, webhook_url=f"{local_http.url}/tiktok/webhook/"
    )
    post_video(sandbox, public_tokens, privacy="SELF_ONLY")
    sandbox_advance()
    delivery = SandboxWebhookDelivery.objects.get()
    # when
    assert sandbox_webhook_redeliver(delivery=delivery)
    # then
    first, second = local_http.received
    assert first.body == second.body


def test_creator_removing_the_app_fails_publishes_in_flight(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    sandbox_settings_update(webhooks_enabled=True, processing_delay_seconds=600)
    publish_id = post_video(sandbox, public_tokens)
    # when
    revoked = sandbox_creator_remove_authorization(creator=public_creator, reason=1)
    # then
    publish = SandboxPublish.objects.get(publish_id=publish_id)
    assert revoked == 2
    assert publish.status == "FAILED"
    assert publish.fail_reason == "auth_removed"
    removed = SandboxWebhookDelivery.objects.get(event="authorization.removed")
    assert json.loads(json.loads(removed.body)["content"]) == {"reason": 1}
    response = sandbox.post(
        "/v2/post/publish/creator_info/query/", token=public_tokens.access_token
    )
    assert response.status_code == 401
