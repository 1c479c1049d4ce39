"""Display API: user_info per scope, video_list and video_query (docs/tiktok.md §3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tiktok_integration.client import TikTokClient, TikTokScopeError
from tiktok_sandbox.models import SandboxCreator, SandboxVideo
from tiktok_sandbox.services import IssuedTokens, sandbox_tokens_issue

VIDEO_FIELDS = ("id", "create_time", "title", "view_count", "share_url")


def _videos(creator: SandboxCreator, count: int) -> list[SandboxVideo]:
    start = timezone.now() - timedelta(hours=count)
    return [
        SandboxVideo.objects.create(
            creator=creator,
            title=f"video {index}",
            privacy_level="PUBLIC_TO_EVERYONE",
            posted_at=start + timedelta(hours=index),
            publicly_available_at=start + timedelta(hours=index),
        )
        for index in range(count)
    ]


@pytest.mark.parametrize(
    ("scope", "fields"),
    [
        ("user.info.basic", ("open_id", "union_id", "avatar_url", "display_name")),
        ("user.info.profile", ("username", "is_verified", "bio_description")),
        ("user.info.stats", ("follower_count", "likes_count", "video_count")),
    ],
)
def test_user_info_fields_need_their_own_scope(
    api: TikTokClient,
    public_creator: SandboxCreator,
    scope: str,
    fields: tuple[str, ...],
) -> None:
    # given: one token with only this scope (plus basic), one with all of them
    narrow = sandbox_tokens_issue(creator=public_creator, scopes=["user.info.basic"])
    wide = sandbox_tokens_issue(
        creator=public_creator, scopes=["user.info.basic", scope]
    )
    # when
    info = api.user_info(access_token=wide.access_token, fields=fields)
    # then
    assert all(getattr(info, name) is not None for name in fields)
    if scope != "user.info.basic":
        with pytest.raises(TikTokScopeError) as caught:
            api.user_info(access_token=narrow.access_token, fields=fields)
        assert caught.value.code == "scope_permission_missed"


def test_user_info_values_match_the_creator(
    api: TikTokClient, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # when
    info = api.user_info(
        access_token=public_tokens.access_token,
        fields=["open_id", "display_name", "username", "follower_count"],
    )
    # then
    assert (info.open_id, info.display_name, info.username, info.follower_count) == (
        public_creator.open_id,
        "Pat Public",
        "sandbox.public",
        12400,
    )
    assert info.bio_description is None


def test_video_list_pages_with_the_millisecond_cursor(
    api: TikTokClient, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    made = _videos(public_creator, 5)
    token = public_tokens.access_token
    # when
    first = api.video_list(access_token=token, fields=VIDEO_FIELDS, max_count=3)
    second = api.video_list(
        access_token=token, fields=VIDEO_FIELDS, cursor=first.cursor, max_count=3
    )
    # then: newest first, no overlap, create_time in seconds
    newest_first = [video.video_id for video in reversed(made)]
    assert [video.id for video in first.videos] == newest_first[:3]
    assert [video.id for video in second.videos] == newest_first[3:]
    assert (first.has_more, second.has_more) == (True, False)
    assert first.cursor is not None
    assert first.cursor > 10**12
    created = first.videos[0].create_time
    assert created is not None
    assert created < 10**11
    assert first.videos[0].title == "video 4"


def test_video_query_returns_only_the_users_own_videos(
    api: TikTokClient,
    public_tokens: IssuedTokens,
    public_creator: SandboxCreator,
    private_creator: SandboxCreator,
) -> None:
    # given
    (own,) = _videos(public_creator, 1)
    (foreign,) = _videos(private_creator, 1)
    # when
    videos = api.video_query(
        access_token=public_tokens.access_token,
        fields=VIDEO_FIELDS,
        video_ids=[own.video_id, foreign.video_id, "7000000000000000000"],
    )
    # then
    assert [video.id for video in videos] == [own.video_id]
    assert videos[0].share_url
