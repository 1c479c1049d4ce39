"""The chunk PUT over real HTTP: exact Content-Range, 206/201/416/403/404/400,
and the bytes' size and SHA-256 recorded, then deleted."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.utils import timezone

from tests.tiktok_sandbox.server import SandboxApi
from tiktok_sandbox import selectors
from tiktok_sandbox.models import Endpoint, SandboxPublish
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_advance,
    sandbox_upload_url_expire,
)
from tiktok_sandbox.services.uploads import upload_path

CHUNK = 5 * 1024 * 1024
VIDEO = os.urandom(3 * CHUNK + 1000)


def init(sandbox: SandboxApi, tokens: IssuedTokens, video: bytes = VIDEO) -> Any:
    chunk = CHUNK if len(video) >= CHUNK else len(video)
    body = {
        "post_info": {"privacy_level": "SELF_ONLY", "title": "upload test"},
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": len(video),
            "chunk_size": chunk,
            "total_chunk_count": len(video) // chunk,
        },
    }
    response = sandbox.post(
        "/v2/post/publish/video/init/", token=tokens.access_token, body=body
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_three_chunks_arrive_intact(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    total = len(VIDEO)
    ranges = [(0, CHUNK), (CHUNK, 2 * CHUNK), (2 * CHUNK, total)]
    # when
    answers = [
        sandbox.put_chunk(
            data["upload_url"], VIDEO[first:end], first=first, total=total
        )
        for first, end in ranges
    ]
    # then
    assert [answer.status_code for answer in answers] == [206, 206, 201]
    assert answers[0].headers["Content-Range"] == f"bytes 0-{CHUNK - 1}/{total}"
    assert answers[1].headers["Content-Range"] == f"bytes 0-{2 * CHUNK - 1}/{total}"
    assert answers[2].headers["Content-Range"] == f"bytes 0-{total - 1}/{total}"
    publish = selectors.sandbox_publish_get(publish_id=data["publish_id"])
    assert publish.received_size == total
    assert publish.received_sha256 == hashlib.sha256(VIDEO).hexdigest()
    assert publish.chunks_received == 3
    assert not publish.has_partial_upload
    assert not upload_path(publish).exists()
    chunks = selectors.sandbox_call_list(
        endpoint=Endpoint.UPLOAD, publish_id=data["publish_id"]
    )
    assert [call.chunk_number for call in chunks] == [1, 2, 3]
    assert [call.byte_count for call in chunks] == [CHUNK, CHUNK, CHUNK + 1000]
    assert selectors.sandbox_fully_uploaded_publish_count() == 1


def test_status_reports_uploaded_bytes_mid_upload(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    sandbox.put_chunk(data["upload_url"], VIDEO[:CHUNK], first=0, total=len(VIDEO))
    # when
    status = sandbox.post(
        "/v2/post/publish/status/fetch/",
        token=public_tokens.access_token,
        body={"publish_id": data["publish_id"]},
    ).json()["data"]
    # then
    assert status["status"] == "PROCESSING_UPLOAD"
    assert status["uploaded_bytes"] == CHUNK


@pytest.mark.parametrize(
    ("first", "length"),
    [
        (CHUNK, CHUNK),  # skips the first chunk
        (0, CHUNK - 1),  # a short chunk
        (0, CHUNK + 1),  # a long middle chunk
    ],
)
def test_range_that_does_not_continue_the_upload_is_416(
    sandbox: SandboxApi, public_tokens: IssuedTokens, first: int, length: int
) -> None:
    # given
    data = init(sandbox, public_tokens)
    total = len(VIDEO)
    # when
    response = sandbox.put_chunk(
        data["upload_url"], VIDEO[first : first + length], first=first, total=total
    )
    # then
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{total}"
    publish = SandboxPublish.objects.get(publish_id=data["publish_id"])
    assert publish.bytes_received == 0
    assert not upload_path(publish).exists()


def test_repeated_chunk_gets_416_with_the_progress(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    total = len(VIDEO)
    sandbox.put_chunk(data["upload_url"], VIDEO[:CHUNK], first=0, total=total)
    # when
    response = sandbox.put_chunk(
        data["upload_url"], VIDEO[:CHUNK], first=0, total=total
    )
    # then
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes 0-{CHUNK - 1}/{total}"


def test_total_must_match_the_declared_size(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    # when
    response = sandbox.put_chunk(
        data["upload_url"], VIDEO[:CHUNK], first=0, total=len(VIDEO) + 1
    )
    # then
    assert response.status_code == 416


def test_bad_headers_are_400(sandbox: SandboxApi, public_tokens: IssuedTokens) -> None:
    # given
    data = init(sandbox, public_tokens)
    url = data["upload_url"]
    total = len(VIDEO)
    chunk = VIDEO[:CHUNK]
    # when
    no_range = requests.put(
        url, data=chunk, headers={"Content-Type": "video/mp4"}, timeout=10
    )
    wrong_type = sandbox.put_chunk(url, chunk, first=0, total=total, content_type="x/y")
    mismatch = requests.put(
        url,
        data=chunk,
        headers={
            "Content-Type": "video/mp4",
            "Content-Range": f"bytes 0-{CHUNK}/{total}",
        },
        timeout=10,
    )
    # then
    assert no_range.status_code == 400
    assert wrong_type.status_code == 400
    assert mismatch.status_code == 400


def test_expired_upload_url_is_403(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    sandbox_upload_url_expire(
        publish=SandboxPublish.objects.get(publish_id=data["publish_id"])
    )
    # when
    response = sandbox.put_chunk(
        data["upload_url"], VIDEO[:CHUNK], first=0, total=len(VIDEO)
    )
    # then
    assert response.status_code == 403


def test_upload_url_expires_after_an_hour(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = sandbox.put_chunk(
            data["upload_url"], VIDEO[:CHUNK], first=0, total=len(VIDEO)
        )
    # then
    assert response.status_code == 403


def test_unknown_upload_task_is_404(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    forged = data["upload_url"].replace("upload_token=", "upload_token=x")
    # when
    response = sandbox.put_chunk(forged, VIDEO[:CHUNK], first=0, total=len(VIDEO))
    # then
    assert response.status_code == 404


def test_small_video_goes_in_one_piece(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    video = os.urandom(4000)
    data = init(sandbox, public_tokens, video)
    # when
    response = sandbox.put_chunk(data["upload_url"], video, first=0, total=len(video))
    # then
    assert response.status_code == 201
    publish = SandboxPublish.objects.get(publish_id=data["publish_id"])
    assert publish.received_sha256 == hashlib.sha256(video).hexdigest()


def test_expired_partial_upload_leaves_no_bytes_behind(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    data = init(sandbox, public_tokens)
    sandbox.put_chunk(data["upload_url"], VIDEO[:CHUNK], first=0, total=len(VIDEO))
    publish = SandboxPublish.objects.get(publish_id=data["publish_id"])
    assert upload_path(publish).stat().st_size == CHUNK
    # when
    report = sandbox_advance(
        now=timezone.now() + timedelta(hours=2), deliver_webhooks=False
    )
    # then
    publish.refresh_from_db()
    assert report.uploads_cleaned == 1
    assert not upload_path(publish).exists()
    assert not publish.has_partial_upload
