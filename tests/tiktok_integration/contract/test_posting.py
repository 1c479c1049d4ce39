"""Content Posting: creator_info, the three inits, a streamed multi-chunk upload,
status to PUBLISH_COMPLETE, the inbox flow and cancel (docs/tiktok.md §4)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.tiktok_integration.contract.support import upload_file
from tiktok_integration.client import (
    PhotoPostRequest,
    PostMode,
    PrivacyLevel,
    PublishState,
    PullFromUrlSource,
    TikTokAccountBlockedError,
    TikTokClient,
    TikTokQuotaError,
    TikTokRejectedError,
    VideoPostRequest,
    plan_chunks,
)
from tiktok_sandbox import selectors
from tiktok_sandbox.models import Endpoint, SandboxCreator
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_creator_post_draft,
    sandbox_creator_update,
    sandbox_settings_update,
)

MEDIA_PREFIX = "https://media.postdeck.test/verified/"
PUBLIC_POST = VideoPostRequest(
    privacy_level=PrivacyLevel.PUBLIC_TO_EVERYONE, title="Hello #contract 👋"
)


@pytest.fixture
def verified_media() -> None:
    # Pretend downloads succeed: tests reach only 127.0.0.1.
    sandbox_settings_update(
        verified_url_prefixes=[MEDIA_PREFIX], fetches_pulled_media=False
    )


def test_creator_info_lists_what_the_account_may_post(
    api: TikTokClient, public_tokens: IssuedTokens, private_tokens: IssuedTokens
) -> None:
    # when
    public = api.creator_info(access_token=public_tokens.access_token)
    private = api.creator_info(access_token=private_tokens.access_token)
    # then
    assert public.nickname == "Pat Public"
    assert public.username == "sandbox.public"
    assert public.avatar_url.startswith("http://127.0.0.1:")
    assert public.privacy_level_options == (
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    )
    assert public.max_video_post_duration_sec == 600
    assert private.privacy_level_options == (
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    )
    assert (private.duet_disabled, private.stitch_disabled) == (True, True)


@pytest.mark.parametrize(
    ("change", "code", "expected"),
    [
        ({"daily_post_cap": 0}, "spam_risk_too_many_posts", TikTokQuotaError),
        (
            {"is_banned_from_posting": True},
            "spam_risk_user_banned_from_posting",
            TikTokAccountBlockedError,
        ),
    ],
)
def test_creator_info_http_200_refusals_are_raised(
    api: TikTokClient,
    public_tokens: IssuedTokens,
    public_creator: SandboxCreator,
    change: dict[str, object],
    code: str,
    expected: type[Exception],
) -> None:
    # given
    sandbox_creator_update(creator=public_creator, **change)
    # when
    with pytest.raises(expected) as caught:
        api.creator_info(access_token=public_tokens.access_token)
    # then: TikTok (and the sandbox) answer these with HTTP 200 on purpose
    assert (caught.value.code, caught.value.http_status) == (code, 200)


def test_creator_info_http_200_active_user_cap_is_a_quota_error(
    api: TikTokClient, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(active_user_cap=0)
    # when
    with pytest.raises(TikTokQuotaError) as caught:
        api.creator_info(access_token=public_tokens.access_token)
    # then
    assert (caught.value.code, caught.value.http_status) == (
        "reached_active_user_cap",
        200,
    )


def test_direct_post_uploads_three_streamed_chunks_and_completes_publicly(
    api: TikTokClient,
    public_tokens: IssuedTokens,
    public_creator: SandboxCreator,
    video_file: Path,
) -> None:
    # given
    token = public_tokens.access_token
    plan = plan_chunks(video_file.stat().st_size)
    assert plan.total_chunk_count == 3
    init = api.init_direct_video(
        access_token=token, post=PUBLIC_POST, source=plan.as_source()
    )
    assert init.upload_url is not None
    assert init.publish_id.startswith("v_pub_file~")
    before = api.fetch_status(access_token=token, publish_id=init.publish_id)
    # when
    results = upload_file(api, upload_url=init.upload_url, path=video_file, plan=plan)
    status = api.fetch_status(access_token=token, publish_id=init.publish_id)
    # then: 206, 206, 201 with TikTok's running byte counts
    assert before.status == PublishState.PROCESSING_UPLOAD
    assert before.uploaded_bytes == 0
    assert [result.http_status for result in results] == [206, 206, 201]
    assert [result.uploaded_bytes for result in results] == [
        10_000_000,
        20_000_000,
        plan.video_size,
    ]
    assert [result.is_complete for result in results] == [False, False, True]
    publish = selectors.sandbox_publish_get(publish_id=init.publish_id)
    assert publish.received_size == video_file.stat().st_size
    assert (
        publish.received_sha256 == hashlib.sha256(video_file.read_bytes()).hexdigest()
    )
    assert publish.post_info["title"] == "Hello #contract 👋"
    assert [
        call.chunk_number
        for call in selectors.sandbox_call_list(
            endpoint=Endpoint.UPLOAD, publish_id=init.publish_id
        )
    ] == [1, 2, 3]
    assert status.status == PublishState.PUBLISH_COMPLETE
    assert status.fail_reason is None
    assert status.uploaded_bytes == plan.video_size
    (post_id,) = status.publicly_available_post_ids
    assert post_id.isdigit()
    assert (
        selectors.sandbox_completed_publish_count(
            creator_open_id=public_creator.open_id
        )
        == 1
    )


def test_private_direct_post_completes_without_a_post_id(
    api: TikTokClient, private_tokens: IssuedTokens, tmp_path: Path
) -> None:
    # given: a file under 5 MB goes in one piece
    path = tmp_path / "small.mp4"
    path.write_bytes(b"\x00" * 1_000_000)
    plan = plan_chunks(1_000_000)
    token = private_tokens.access_token
    init = api.init_direct_video(
        access_token=token,
        post=VideoPostRequest(privacy_level=PrivacyLevel.SELF_ONLY),
        source=plan.as_source(),
    )
    assert init.upload_url is not None
    # when
    (result,) = upload_file(api, upload_url=init.upload_url, path=path, plan=plan)
    status = api.fetch_status(access_token=token, publish_id=init.publish_id)
    # then
    assert result.http_status == 201
    assert status.status == PublishState.PUBLISH_COMPLETE
    assert status.publicly_available_post_ids == ()


def test_inbox_upload_waits_in_the_inbox_until_the_creator_posts(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path
) -> None:
    # given
    token = public_tokens.access_token
    plan = plan_chunks(video_file.stat().st_size)
    init = api.init_inbox_video(access_token=token, source=plan.as_source())
    assert init.upload_url is not None
    assert init.publish_id.startswith("v_inbox_file~")
    upload_file(api, upload_url=init.upload_url, path=video_file, plan=plan)
    # when
    waiting = api.fetch_status(access_token=token, publish_id=init.publish_id)
    sandbox_creator_post_draft(
        publish=selectors.sandbox_publish_get(publish_id=init.publish_id)
    )
    posted = api.fetch_status(access_token=token, publish_id=init.publish_id)
    # then
    assert waiting.status == PublishState.SEND_TO_USER_INBOX
    assert posted.status == PublishState.PUBLISH_COMPLETE
    assert len(posted.publicly_available_post_ids) == 1
    publish = selectors.sandbox_publish_get(publish_id=init.publish_id)
    assert publish.post_info == {}


@pytest.mark.parametrize("post_mode", [PostMode.DIRECT_POST, PostMode.MEDIA_UPLOAD])
def test_photo_init_from_verified_urls(
    api: TikTokClient,
    private_tokens: IssuedTokens,
    verified_media: None,
    post_mode: PostMode,
) -> None:
    # given
    request = PhotoPostRequest(
        post_mode=post_mode,
        photo_images=(f"{MEDIA_PREFIX}1.jpg", f"{MEDIA_PREFIX}2.webp"),
        photo_cover_index=1,
        title="Two photos",
        description="A description with #tags",
        privacy_level=PrivacyLevel.SELF_ONLY
        if post_mode is PostMode.DIRECT_POST
        else None,
    )
    # when
    init = api.init_photo(access_token=private_tokens.access_token, request=request)
    status = api.fetch_status(
        access_token=private_tokens.access_token, publish_id=init.publish_id
    )
    # then
    assert init.upload_url is None
    assert init.publish_id.startswith("p_")
    expected = (
        PublishState.PUBLISH_COMPLETE
        if post_mode is PostMode.DIRECT_POST
        else PublishState.SEND_TO_USER_INBOX
    )
    assert status.status == expected
    publish = selectors.sandbox_publish_get(publish_id=init.publish_id)
    assert publish.source_info["photo_cover_index"] == 1


def test_cancel_a_pull_from_url_download(
    api: TikTokClient, private_tokens: IssuedTokens, verified_media: None
) -> None:
    # given: the download has not started yet
    sandbox_settings_update(processing_delay_seconds=60)
    token = private_tokens.access_token
    init = api.init_direct_video(
        access_token=token,
        post=VideoPostRequest(privacy_level=PrivacyLevel.SELF_ONLY),
        source=PullFromUrlSource(video_url=f"{MEDIA_PREFIX}clip.mp4"),
    )
    downloading = api.fetch_status(access_token=token, publish_id=init.publish_id)
    # when
    api.cancel(access_token=token, publish_id=init.publish_id)
    status = api.fetch_status(access_token=token, publish_id=init.publish_id)
    # then
    assert init.upload_url is None
    assert downloading.status == PublishState.PROCESSING_DOWNLOAD
    assert downloading.downloaded_bytes == 0
    assert (status.status, status.fail_reason) == (
        PublishState.FAILED,
        "publish_cancelled",
    )
    with pytest.raises(TikTokRejectedError) as caught:
        api.cancel(access_token=token, publish_id=init.publish_id)
    assert caught.value.code == "publish_not_cancellable"
