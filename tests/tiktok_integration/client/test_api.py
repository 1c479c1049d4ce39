"""What TikTokClient sends and how it reads TikTok's answers."""

from __future__ import annotations

import io
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from tiktok_integration.client import (
    CallRecord,
    FileRangeReader,
    FileUploadSource,
    PhotoPostRequest,
    PostMode,
    PullFromUrlSource,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokRangeMismatchError,
    TikTokRejectedError,
    TikTokTransientError,
    VideoPostRequest,
    plan_chunks,
)

from .support import (
    ACCESS_TOKEN,
    API_BASE,
    LOG_ID,
    UPLOAD_TOKEN,
    UPLOAD_URL,
    capture_everything,
    envelope,
    sent_json,
    sent_timeout,
)

INIT_URL = f"{API_BASE}/v2/post/publish/video/init/"
INBOX_INIT_URL = f"{API_BASE}/v2/post/publish/inbox/video/init/"
CONTENT_INIT_URL = f"{API_BASE}/v2/post/publish/content/init/"
STATUS_URL = f"{API_BASE}/v2/post/publish/status/fetch/"
PHOTO_URLS = ("https://media.example.com/p/1.jpg", "https://media.example.com/p/2.jpg")


def _query(mock: responses.RequestsMock, index: int = 0) -> dict[str, list[str]]:
    url = mock.calls[index].request.url
    assert isinstance(url, str)
    return parse_qs(urlsplit(url).query)


def test_direct_video_init_sends_post_info_and_source_info(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given TikTok accepts a FILE_UPLOAD direct post,
    mocked_responses.post(
        INIT_URL,
        json=envelope({"publish_id": "v_pub_file~v2-1.123", "upload_url": UPLOAD_URL}),
    )
    post = VideoPostRequest(
        privacy_level="MUTUAL_FOLLOW_FRIENDS",
        title="Launch day #fyp",
        disable_duet=True,
        video_cover_timestamp_ms=1500,
        brand_organic_toggle=True,
        is_aigc=True,
    )

    # when the publish is initialised,
    result = client.init_direct_video(
        access_token=ACCESS_TOKEN, post=post, source=plan_chunks(50_000_123).as_source()
    )

    # then the body puts the cover timestamp and toggles in post_info, the sizes in
    # source_info, and the headers carry the bearer token and JSON content type.
    assert result.publish_id == "v_pub_file~v2-1.123"
    assert result.upload_url == UPLOAD_URL
    assert sent_json(0, mocked_responses) == {
        "post_info": {
            "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
            "title": "Launch day #fyp",
            "disable_comment": False,
            "disable_duet": True,
            "disable_stitch": False,
            "video_cover_timestamp_ms": 1500,
            "brand_content_toggle": False,
            "brand_organic_toggle": True,
            "is_aigc": True,
        },
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": 50_000_123,
            "chunk_size": 10_000_000,
            "total_chunk_count": 5,
        },
    }
    headers = mocked_responses.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert headers["User-Agent"] == "postdeck-tests/1.0"


def test_direct_video_from_url_has_no_upload_url(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(INIT_URL, json=envelope({"publish_id": "v_pub_url~v2.1"}))
    result = client.init_direct_video(
        access_token=ACCESS_TOKEN,
        post=VideoPostRequest(privacy_level="SELF_ONLY"),
        source=PullFromUrlSource("https://media.example.com/v/clip.mp4"),
    )
    assert result.upload_url is None
    assert sent_json(0, mocked_responses)["source_info"] == {
        "source": "PULL_FROM_URL",
        "video_url": "https://media.example.com/v/clip.mp4",
    }


def test_inbox_init_sends_source_info_only(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given the inbox flow, which documents no post_info,
    mocked_responses.post(
        INBOX_INIT_URL,
        json=envelope({"publish_id": "v_inbox_file~v2.1", "upload_url": UPLOAD_URL}),
    )

    # when it is initialised, then only source_info is sent.
    client.init_inbox_video(
        access_token=ACCESS_TOKEN, source=FileUploadSource(4_000_000, 4_000_000, 1)
    )
    assert sent_json(0, mocked_responses) == {
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": 4_000_000,
            "chunk_size": 4_000_000,
            "total_chunk_count": 1,
        }
    }


def test_file_upload_init_without_upload_url_is_ambiguous(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given TikTok says "ok" but leaves out the upload_url we need,
    mocked_responses.post(INIT_URL, json=envelope({"publish_id": "v_pub_file~1"}))

    # then the publish may exist at TikTok, so the outcome is ambiguous.
    with pytest.raises(TikTokAmbiguousError) as caught:
        client.init_direct_video(
            access_token=ACCESS_TOKEN,
            post=VideoPostRequest(privacy_level="SELF_ONLY"),
            source=FileUploadSource(4_000_000, 4_000_000, 1),
        )
    assert caught.value.code == "malformed_response"


def test_direct_photo_init_body(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a direct photo post,
    mocked_responses.post(
        CONTENT_INIT_URL, json=envelope({"publish_id": "p_pub_url~v2.1"})
    )
    request = PhotoPostRequest(
        post_mode=PostMode.DIRECT_POST,
        photo_images=PHOTO_URLS,
        photo_cover_index=1,
        title="Two photos",
        description="A longer description",
        privacy_level="PUBLIC_TO_EVERYONE",
        auto_add_music=True,
    )

    # when it is initialised, then it is a PHOTO with DIRECT_POST (underscore)
    # and PULL_FROM_URL sources with a 0-based cover index.
    assert (
        client.init_photo(access_token=ACCESS_TOKEN, request=request).publish_id
        == "p_pub_url~v2.1"
    )
    assert sent_json(0, mocked_responses) == {
        "media_type": "PHOTO",
        "post_mode": "DIRECT_POST",
        "post_info": {
            "title": "Two photos",
            "description": "A longer description",
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "disable_comment": False,
            "auto_add_music": True,
            "brand_content_toggle": False,
            "brand_organic_toggle": False,
        },
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_images": list(PHOTO_URLS),
            "photo_cover_index": 1,
        },
    }


def test_media_upload_photo_sends_no_direct_post_settings() -> None:
    body = PhotoPostRequest(
        post_mode=PostMode.MEDIA_UPLOAD, photo_images=PHOTO_URLS[:1], title="Draft"
    ).as_json()
    assert body["post_mode"] == "MEDIA_UPLOAD"
    assert body["post_info"] == {"title": "Draft", "description": ""}


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        pytest.param(
            lambda: PhotoPostRequest(
                post_mode=PostMode.DIRECT_POST, photo_images=PHOTO_URLS
            ),
            "direct photo post needs a privacy_level",
            id="direct-photo-without-privacy",
        ),
        pytest.param(
            lambda: PhotoPostRequest(post_mode=PostMode.MEDIA_UPLOAD, photo_images=()),
            "needs 1 to 35 images",
            id="no-photos",
        ),
        pytest.param(
            lambda: PhotoPostRequest(
                post_mode=PostMode.MEDIA_UPLOAD, photo_images=PHOTO_URLS * 18
            ),
            "needs 1 to 35 images",
            id="36-photos",
        ),
        pytest.param(
            lambda: PhotoPostRequest(
                post_mode=PostMode.MEDIA_UPLOAD,
                photo_images=PHOTO_URLS,
                photo_cover_index=2,
            ),
            "photo_cover_index must point",
            id="cover-out-of-range",
        ),
        pytest.param(
            lambda: PhotoPostRequest(
                post_mode=PostMode.MEDIA_UPLOAD,
                photo_images=("http://insecure.example/1.jpg",),
            ),
            "must be an https URL",
            id="http-photo",
        ),
        pytest.param(
            lambda: VideoPostRequest(privacy_level=""),
            "has no default",
            id="no-privacy-default",
        ),
        pytest.param(
            lambda: VideoPostRequest(
                privacy_level="SELF_ONLY", brand_content_toggle=True
            ),
            "Branded content visibility cannot be set to private",
            id="branded-private",
        ),
        pytest.param(
            lambda: PullFromUrlSource("http://media.example.com/v.mp4"),
            "video_url must be an https URL",
            id="http-video-url",
        ),
    ],
)
def test_invalid_requests_are_refused_before_sending(build: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        build()


def test_creator_info_is_parsed(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given TikTok's creator_info answer,
    mocked_responses.post(
        f"{API_BASE}/v2/post/publish/creator_info/query/",
        json=envelope(
            {
                "creator_avatar_url": "https://lf16.tiktokcdn.com/a.jpeg",
                "creator_username": "tiktok",
                "creator_nickname": "TikTok Official",
                "privacy_level_options": [
                    "PUBLIC_TO_EVERYONE",
                    "MUTUAL_FOLLOW_FRIENDS",
                    "SELF_ONLY",
                ],
                "comment_disabled": False,
                "duet_disabled": False,
                "stitch_disabled": True,
                "max_video_post_duration_sec": 300,
            }
        ),
    )

    # when it is read, then every field arrives and the request has no body.
    info = client.creator_info(access_token=ACCESS_TOKEN)
    assert info.nickname == "TikTok Official"
    assert info.username == "tiktok"
    assert info.privacy_level_options == (
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    )
    assert (info.comment_disabled, info.duet_disabled, info.stitch_disabled) == (
        False,
        False,
        True,
    )
    assert info.max_video_post_duration_sec == 300
    assert mocked_responses.calls[0].request.body is None


def test_user_info_is_a_get_with_fields_in_the_query(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.get(
        f"{API_BASE}/v2/user/info/",
        json=envelope(
            {"user": {"open_id": "o-1", "display_name": "Ana", "follower_count": 12}}
        ),
    )
    user = client.user_info(
        access_token=ACCESS_TOKEN, fields=["open_id", "display_name", "follower_count"]
    )
    assert (user.open_id, user.display_name, user.follower_count) == ("o-1", "Ana", 12)
    assert user.username is None
    request = mocked_responses.calls[0].request
    assert urlsplit(request.url).query == "fields=open_id,display_name,follower_count"
    assert request.body is None
    assert "Content-Type" not in request.headers


def test_video_list_puts_fields_in_the_query_and_paging_in_the_body(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a page of videos,
    mocked_responses.post(
        f"{API_BASE}/v2/video/list/",
        json=envelope(
            {
                "videos": [{"id": "7080213458555737986", "create_time": 1_700_000_000}],
                "cursor": 1_700_000_000_000,
                "has_more": True,
            }
        ),
    )

    # when the next page is requested with a cursor,
    page = client.video_list(
        access_token=ACCESS_TOKEN,
        fields=["id", "create_time"],
        cursor=1_710_000_000_000,
        max_count=15,
    )

    # then fields travel in the query string even on POST, and paging in the body.
    assert _query(mocked_responses) == {"fields": ["id,create_time"]}
    assert sent_json(0, mocked_responses) == {
        "max_count": 15,
        "cursor": 1_710_000_000_000,
    }
    assert page.videos[0].id == "7080213458555737986"
    assert (page.cursor, page.has_more) == (1_700_000_000_000, True)


def test_video_query_sends_ids_as_filters(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(
        f"{API_BASE}/v2/video/query/",
        json=envelope({"videos": [{"id": "1", "cover_image_url": "https://c/1.jpg"}]}),
    )
    videos = client.video_query(
        access_token=ACCESS_TOKEN,
        fields=["id", "cover_image_url"],
        video_ids=["1", "2"],
    )
    assert [video.id for video in videos] == ["1"]
    assert sent_json(0, mocked_responses) == {"filters": {"video_ids": ["1", "2"]}}
    assert _query(mocked_responses) == {"fields": ["id,cover_image_url"]}


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        pytest.param(
            lambda c: c.video_list(
                access_token=ACCESS_TOKEN, fields=["id"], max_count=21
            ),
            "max_count must be 1 to 20",
            id="21-per-page",
        ),
        pytest.param(
            lambda c: c.video_list(
                access_token=ACCESS_TOKEN, fields=["id"], max_count=0
            ),
            "max_count must be 1 to 20",
            id="0-per-page",
        ),
        pytest.param(
            lambda c: c.video_query(
                access_token=ACCESS_TOKEN,
                fields=["id"],
                video_ids=[str(i) for i in range(21)],
            ),
            "video_ids must hold 1 to 20",
            id="21-ids",
        ),
        pytest.param(
            lambda c: c.video_query(
                access_token=ACCESS_TOKEN, fields=["id"], video_ids=[]
            ),
            "video_ids must hold 1 to 20",
            id="no-ids",
        ),
        pytest.param(
            lambda c: c.user_info(access_token=ACCESS_TOKEN, fields=[]),
            "fields must be one or more",
            id="no-fields",
        ),
        pytest.param(
            lambda c: c.user_info(access_token=ACCESS_TOKEN, fields=["open_id&x=1"]),
            "fields must be one or more",
            id="field-injection",
        ),
        pytest.param(
            lambda c: c.creator_info(access_token=""),
            "access_token is required",
            id="no-token",
        ),
    ],
)
def test_local_limits_are_refused_without_a_request(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    call: Any,
    reason: str,
) -> None:
    with pytest.raises(ValueError, match=reason):
        call(client)
    assert len(mocked_responses.calls) == 0


def test_status_keeps_post_ids_as_strings_under_the_real_spelling(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given TikTok's misspelt field with a 19-digit int64 id,
    mocked_responses.post(
        STATUS_URL,
        json=envelope(
            {
                "status": "PUBLISH_COMPLETE",
                "publicaly_available_post_id": [7_123_456_789_012_345_678],
                "uploaded_bytes": 50_000_123,
            }
        ),
    )

    # then the id arrives exact, as a string.
    status = client.fetch_status(access_token=ACCESS_TOKEN, publish_id="v_pub_file~1")
    assert status.status == "PUBLISH_COMPLETE"
    assert status.publicly_available_post_ids == ("7123456789012345678",)
    assert (status.uploaded_bytes, status.fail_reason) == (50_000_123, None)
    assert sent_json(0, mocked_responses) == {"publish_id": "v_pub_file~1"}


def test_status_accepts_the_correct_spelling_and_a_fail_reason(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(
        STATUS_URL,
        json=envelope(
            {
                "status": "FAILED",
                "fail_reason": "frame_rate_check_failed",
                "publicly_available_post_id": ["7123"],
            }
        ),
    )
    status = client.fetch_status(access_token=ACCESS_TOKEN, publish_id="v_pub_file~1")
    assert status.fail_reason == "frame_rate_check_failed"
    assert status.publicly_available_post_ids == ("7123",)


def test_status_without_a_status_field_is_transient(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(STATUS_URL, json=envelope({}))
    with pytest.raises(TikTokTransientError) as caught:
        client.fetch_status(access_token=ACCESS_TOKEN, publish_id="v_pub_file~1")
    assert caught.value.code == "malformed_response"


def test_cancel_accepts_an_envelope_without_data(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(f"{API_BASE}/v2/post/publish/cancel/", json=envelope())
    client.cancel(access_token=ACCESS_TOKEN, publish_id="v_pub_url~v2.1")
    assert sent_json(0, mocked_responses) == {"publish_id": "v_pub_url~v2.1"}


def _put_chunk(
    client: TikTokClient, body: bytes | FileRangeReader, **kwargs: Any
) -> Any:
    arguments: dict[str, Any] = {
        "upload_url": UPLOAD_URL,
        "body": body,
        "first": 0,
        "last": len(body) - 1,
        "total": 30,
        "is_final": False,
    }
    arguments.update(kwargs)
    return client.upload_chunk(**arguments)


def test_chunk_put_uses_the_whole_upload_url_without_authorization(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given the upload host accepts the first of three chunks,
    mocked_responses.put(
        UPLOAD_URL, status=206, headers={"Content-Range": "bytes 0-9/30"}
    )

    # when it is sent,
    result = _put_chunk(client, b"0123456789", content_type="video/quicktime")

    # then it went to the opaque URL with its query, with exact range headers,
    # no Authorization, and the 120 s read timeout.
    request = mocked_responses.calls[0].request
    assert request.method == "PUT"
    assert request.url == UPLOAD_URL
    assert request.headers["Content-Range"] == "bytes 0-9/30"
    assert request.headers["Content-Length"] == "10"
    assert request.headers["Content-Type"] == "video/quicktime"
    assert "Authorization" not in request.headers
    assert sent_timeout(mocked_responses.calls[0]) == (3.05, 120.0)
    assert result.http_status == 206
    assert (result.uploaded_bytes, result.total, result.is_complete) == (10, 30, False)


def test_final_chunk_streams_a_file_range_and_completes(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a file whose last 10 bytes are the final chunk,
    data = bytes(range(30))
    mocked_responses.put(
        UPLOAD_URL, status=201, headers={"Content-Range": "bytes 0-29/30"}
    )
    reader = FileRangeReader(io.BytesIO(data), start=20, length=10, block_size=4)

    # when it is sent,
    result = _put_chunk(client, reader, first=20, last=29, is_final=True)

    # then exactly those bytes were sent with a fixed length, and the upload is done.
    request = mocked_responses.calls[0].request
    assert request.body == data[20:]
    assert request.headers["Content-Length"] == "10"
    assert "Transfer-Encoding" not in request.headers
    assert result.is_complete
    assert result.uploaded_bytes == 30


def test_a_reader_reused_after_a_failed_attempt_is_sent_whole(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a chunk whose first attempt failed after part of it was read,
    data = bytes(range(30))
    reader = FileRangeReader(io.BytesIO(data), start=10, length=10, block_size=4)
    reader.read(4)
    mocked_responses.put(
        UPLOAD_URL, status=206, headers={"Content-Range": "bytes 0-19/30"}
    )

    # when the same reader is sent again,
    _put_chunk(client, reader, first=10, last=19)

    # then the whole chunk goes out, not just its unread tail.
    request = mocked_responses.calls[0].request
    assert request.body == data[10:20]
    assert request.headers["Content-Length"] == "10"


def test_416_reports_how_far_tiktok_got(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given TikTok already holds the first 20 bytes,
    mocked_responses.put(
        UPLOAD_URL, status=416, headers={"Content-Range": "bytes 0-19/30"}
    )

    # then the mismatch error says where to resume.
    with pytest.raises(TikTokRangeMismatchError) as caught:
        _put_chunk(client, b"0123456789")
    assert caught.value.code == "range_mismatch"
    assert caught.value.uploaded_bytes == 20
    assert isinstance(caught.value, TikTokRejectedError)


def test_416_before_any_byte_arrived_reports_zero_uploaded_bytes(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given TikTok holds nothing yet and says so in RFC 9110's unsatisfied form,
    mocked_responses.put(
        UPLOAD_URL, status=416, headers={"Content-Range": "bytes */30"}
    )

    # when a chunk that does not start at byte 0 is sent,
    with pytest.raises(TikTokRangeMismatchError) as caught:
        _put_chunk(client, b"0123456789", first=10, last=19)

    # then the mismatch says to resume from byte 0, not "unknown".
    assert caught.value.uploaded_bytes == 0


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "upload_url_expired"),
        (404, "upload_not_found"),
        (400, "upload_invalid_request"),
    ],
)
def test_upload_refusals_are_rejections_with_their_own_code(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    status: int,
    code: str,
) -> None:
    mocked_responses.put(UPLOAD_URL, status=status)
    with pytest.raises(TikTokRejectedError) as caught:
        _put_chunk(client, b"0123456789")
    assert type(caught.value) is TikTokRejectedError
    assert (caught.value.code, caught.value.http_status) == (code, status)
    assert caught.value.staff_message.endswith(".")


@pytest.mark.parametrize("is_final", [False, True])
@pytest.mark.parametrize("status", [500, 503])
def test_upload_5xx_is_transient_so_the_same_chunk_is_retried(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    status: int,
    is_final: bool,
) -> None:
    mocked_responses.put(UPLOAD_URL, status=status)
    first = 20 if is_final else 0
    with pytest.raises(TikTokTransientError):
        _put_chunk(
            client, b"0123456789", first=first, last=first + 9, is_final=is_final
        )


@pytest.mark.parametrize(
    ("is_final", "expected"),
    [(False, TikTokTransientError), (True, TikTokAmbiguousError)],
)
@pytest.mark.parametrize(
    "lost_answer",
    [
        requests.exceptions.ReadTimeout(),
        requests.exceptions.ConnectionError("Connection reset by peer"),
    ],
    ids=["read-timeout", "reset"],
)
def test_lost_answer_is_ambiguous_only_for_the_final_chunk(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    is_final: bool,
    expected: type[Exception],
    lost_answer: Exception,
) -> None:
    # Given the upload host never answers,
    mocked_responses.put(UPLOAD_URL, body=lost_answer)
    first = 20 if is_final else 0

    # then a middle chunk can be resent, but a final chunk may have started posting.
    with pytest.raises(expected):
        _put_chunk(
            client, b"0123456789", first=first, last=first + 9, is_final=is_final
        )


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        pytest.param({"last": 4}, "The body holds 10 bytes", id="short-body"),
        pytest.param(
            {"first": 25, "last": 34}, "Invalid chunk range", id="past-the-end"
        ),
        pytest.param(
            {"is_final": True}, "is_final must be true exactly", id="final-mismatch"
        ),
        pytest.param(
            {"content_type": "video/x-msvideo"},
            "content_type must be one of",
            id="bad-type",
        ),
        pytest.param({"upload_url": ""}, "upload_url is required", id="no-url"),
    ],
)
def test_inconsistent_chunk_arguments_are_refused_without_a_request(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    call_records: list[CallRecord],
    kwargs: dict[str, Any],
    reason: str,
) -> None:
    with pytest.raises(ValueError, match=reason):
        _put_chunk(client, b"0123456789", **kwargs)
    assert len(mocked_responses.calls) == 0
    assert call_records == []


def test_every_request_has_a_timeout(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given Session.request is watched for its timeout argument,
    timeouts: list[Any] = []
    original_request = requests.Session.request

    def watching_request(self: requests.Session, *args: Any, **kwargs: Any) -> Any:
        timeouts.append(kwargs.get("timeout"))
        return original_request(self, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", watching_request)
    mocked_responses.add(
        responses.POST,
        f"{API_BASE}/v2/post/publish/status/fetch/",
        json=envelope({"status": "PROCESSING_UPLOAD"}),
    )
    mocked_responses.post(
        f"{API_BASE}/v2/post/publish/creator_info/query/", json=envelope({})
    )
    mocked_responses.post(f"{API_BASE}/v2/video/list/", json=envelope({"videos": []}))
    mocked_responses.post(f"{API_BASE}/v2/post/publish/cancel/", json=envelope())
    mocked_responses.get(f"{API_BASE}/v2/user/info/", json=envelope({"user": {}}))
    mocked_responses.put(UPLOAD_URL, status=206)

    # when every kind of call is made,
    client.fetch_status(access_token=ACCESS_TOKEN, publish_id="p")
    client.creator_info(access_token=ACCESS_TOKEN)
    client.video_list(access_token=ACCESS_TOKEN, fields=["id"])
    client.cancel(access_token=ACCESS_TOKEN, publish_id="p")
    client.user_info(access_token=ACCESS_TOKEN, fields=["open_id"])
    _put_chunk(client, b"0123456789")

    # then each one passed a (connect, read) timeout down to the adapter.
    assert len(timeouts) == 6
    assert all(isinstance(t, tuple) and None not in t for t in timeouts)
    adapter_timeouts = [sent_timeout(call) for call in mocked_responses.calls]
    assert adapter_timeouts == [(3.05, 15.0)] * 5 + [(3.05, 120.0)]


def test_each_call_is_logged_once_and_recorded_without_secrets(
    client: TikTokClient,
    mocked_responses: responses.RequestsMock,
    call_records: list[CallRecord],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a successful init, a chunk and a refused status fetch,
    mocked_responses.post(
        INIT_URL,
        json=envelope({"publish_id": "v_pub_file~1", "upload_url": UPLOAD_URL}),
    )
    mocked_responses.put(
        UPLOAD_URL, status=201, headers={"Content-Range": "bytes 0-9/10"}
    )
    mocked_responses.post(
        STATUS_URL, json=envelope(code="invalid_publish_id"), status=400
    )
    capture_everything(caplog)

    # when they run,
    init = client.init_direct_video(
        access_token=ACCESS_TOKEN,
        post=VideoPostRequest(privacy_level="SELF_ONLY"),
        source=FileUploadSource(10, 10, 1),
    )
    assert init.upload_url is not None
    client.upload_chunk(
        upload_url=init.upload_url,
        body=b"0123456789",
        first=0,
        last=9,
        total=10,
        is_final=True,
    )
    with pytest.raises(TikTokRejectedError):
        client.fetch_status(access_token=ACCESS_TOKEN, publish_id="v_pub_file~1")

    # then one record per call carries endpoint, status, code and log_id,
    assert [
        (r.endpoint, r.method, r.http_status, r.code, r.log_id, r.error_class)
        for r in call_records
    ] == [
        ("video_init", "POST", 200, "ok", LOG_ID, None),
        ("upload_chunk", "PUT", 201, "", "", None),
        (
            "status_fetch",
            "POST",
            400,
            "invalid_publish_id",
            LOG_ID,
            "TikTokRejectedError",
        ),
    ]
    client_lines = [r for r in caplog.records if r.name == "tiktok_integration.client"]
    assert [r.levelno for r in client_lines] == [
        logging.INFO,
        logging.INFO,
        logging.WARNING,
    ]
    assert "video_init" in client_lines[0].getMessage()
    assert LOG_ID in client_lines[0].getMessage()
    # and no token, upload URL or body reaches the logs or the reprs.
    for text in (caplog.text, repr(init), repr(call_records)):
        assert ACCESS_TOKEN not in text
        assert UPLOAD_TOKEN not in text
        assert "open-upload.tiktokapis.com" not in text


def test_a_failing_on_call_hook_does_not_lose_the_result(
    session: requests.Session,
    mocked_responses: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given an audit hook that fails (say the database is down),
    def broken_hook(record: CallRecord) -> None:
        raise RuntimeError("database unavailable")

    client = TikTokClient(api_base_url=API_BASE, session=session, on_call=broken_hook)
    mocked_responses.post(INIT_URL, json=envelope({"publish_id": "v_pub_url~1"}))

    # when an init succeeds at TikTok, then its publish_id still reaches the caller.
    result = client.init_direct_video(
        access_token=ACCESS_TOKEN,
        post=VideoPostRequest(privacy_level="SELF_ONLY"),
        source=PullFromUrlSource("https://media.example.com/v.mp4"),
    )
    assert result.publish_id == "v_pub_url~1"
    assert "on_call hook failed" in caplog.text


def test_unexpected_urls_fail_the_call(
    client: TikTokClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given nothing is registered, then responses refuses the call and the client
    # reports it as a TikTok failure instead of returning data.
    with pytest.raises(TikTokTransientError):
        client.fetch_status(access_token=ACCESS_TOKEN, publish_id="p")
