"""Display API strictness: user info scopes, video list and query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.tiktok_sandbox.server import SandboxApi
from tiktok_sandbox.models import SandboxCreator, SandboxVideo
from tiktok_sandbox.services import IssuedTokens, sandbox_tokens_issue

FIELDS = "id,create_time,title,view_count,like_count,comment_count,share_url"


def make_videos(creator: SandboxCreator, count: int, *, public: bool = True) -> None:
    start = timezone.now() - timedelta(hours=count)
    for index in range(count):
        posted = start + timedelta(hours=index)
        SandboxVideo.objects.create(
            creator=creator,
            title=f"video {index}",
            privacy_level="PUBLIC_TO_EVERYONE" if public else "SELF_ONLY",
            posted_at=posted,
            publicly_available_at=posted if public else None,
        )


def list_videos(
    sandbox: SandboxApi,
    tokens: IssuedTokens,
    body: dict[str, Any],
    fields: str = FIELDS,
) -> Any:
    return sandbox.post(
        f"/v2/video/list/?fields={fields}", token=tokens.access_token, body=body
    )


def test_user_info_returns_the_asked_fields(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # when
    response = sandbox.get(
        "/v2/user/info/?fields=open_id,display_name,username,follower_count",
        token=public_tokens.access_token,
    )
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {
        "user": {
            "open_id": public_creator.open_id,
            "display_name": "Pat Public",
            "username": "sandbox.public",
            "follower_count": 12400,
        }
    }


def test_user_info_field_without_its_scope_is_scope_permission_missed(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["user.info.basic"])
    # when
    basic = sandbox.get("/v2/user/info/?fields=open_id", token=tokens.access_token)
    stats = sandbox.get(
        "/v2/user/info/?fields=open_id,follower_count", token=tokens.access_token
    )
    # then
    assert basic.status_code == 200
    assert stats.status_code == 400
    assert stats.json()["error"]["code"] == "scope_permission_missed"


@pytest.mark.parametrize("query", ["", "?fields=", "?fields=open_id,email"])
def test_user_info_needs_known_fields(
    sandbox: SandboxApi, public_tokens: IssuedTokens, query: str
) -> None:
    # when
    response = sandbox.get(f"/v2/user/info/{query}", token=public_tokens.access_token)
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_params"


def test_video_list_pages_newest_first_with_a_millisecond_cursor(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    make_videos(public_creator, 25)
    make_videos(public_creator, 3, public=False)
    # when
    first = list_videos(sandbox, public_tokens, {"max_count": 20}).json()["data"]
    second = list_videos(
        sandbox, public_tokens, {"max_count": 20, "cursor": first["cursor"]}
    ).json()["data"]
    # then
    titles = [video["title"] for video in first["videos"] + second["videos"]]
    assert titles == [f"video {index}" for index in range(24, -1, -1)]
    assert first["has_more"] is True
    assert second["has_more"] is False
    oldest_on_first = first["videos"][-1]["create_time"]
    assert first["cursor"] // 1000 == oldest_on_first
    assert first["cursor"] > 10**12


def test_video_list_default_page_is_ten(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    make_videos(public_creator, 12)
    # when
    data = list_videos(sandbox, public_tokens, {}).json()["data"]
    # then
    assert len(data["videos"]) == 10


@pytest.mark.parametrize("body", [{"max_count": 21}, {"max_count": 0}, {"cursor": "x"}])
def test_video_list_refuses_bad_paging(
    sandbox: SandboxApi, public_tokens: IssuedTokens, body: dict[str, Any]
) -> None:
    # when
    response = list_videos(sandbox, public_tokens, body)
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_params"


def test_video_list_needs_the_video_list_scope(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["user.info.basic"])
    # when
    response = list_videos(sandbox, tokens, {})
    # then
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "scope_not_authorized"


def test_metrics_grow_over_time(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    make_videos(public_creator, 1)
    start = timezone.now()
    # when
    with time_machine.travel(start, tick=False):
        before = list_videos(sandbox, public_tokens, {}).json()["data"]["videos"][0]
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        after = list_videos(sandbox, public_tokens, {}).json()["data"]["videos"][0]
    # then
    assert after["view_count"] > before["view_count"] > 0
    assert after["like_count"] >= before["like_count"]


def test_video_query_returns_own_videos_and_caps_ids_at_20(
    sandbox: SandboxApi,
    public_tokens: IssuedTokens,
    public_creator: SandboxCreator,
    private_creator: SandboxCreator,
) -> None:
    # given
    make_videos(public_creator, 2)
    make_videos(private_creator, 1)
    own = list(public_creator.videos.values_list("video_id", flat=True))
    foreign = list(private_creator.videos.values_list("video_id", flat=True))

    def query(ids: list[str]) -> Any:
        return sandbox.post(
            "/v2/video/query/?fields=id,title",
            token=public_tokens.access_token,
            body={"filters": {"video_ids": ids}},
        )

    # when
    found = query([*own, *foreign, "7000000000000000000"])
    too_many = query([str(7 * 10**18 + index) for index in range(21)])
    # then
    assert sorted(video["id"] for video in found.json()["data"]["videos"]) == sorted(
        own
    )
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "invalid_params"


def test_posts_published_through_the_sandbox_appear_in_the_list(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    body = {
        "post_info": {"privacy_level": "PUBLIC_TO_EVERYONE", "title": "via sandbox"},
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": 10,
            "chunk_size": 10,
            "total_chunk_count": 1,
        },
    }
    data = sandbox.post(
        "/v2/post/publish/video/init/", token=public_tokens.access_token, body=body
    ).json()["data"]
    sandbox.put_chunk(data["upload_url"], b"0123456789", first=0, total=10)
    # when: listing advances processing and moderation lazily
    videos = list_videos(sandbox, public_tokens, {}).json()["data"]["videos"]
    # then
    assert [video["title"] for video in videos] == ["via sandbox"]
    page = sandbox.get(videos[0]["share_url"].removeprefix(sandbox.base))
    assert page.status_code == 200
    assert "via sandbox" in page.text
    profile = sandbox.get("/@sandbox.public/")
    assert "via sandbox" in profile.text


def test_avatar_and_cover_urls_answer_images(
    sandbox: SandboxApi, public_tokens: IssuedTokens, public_creator: SandboxCreator
) -> None:
    # given
    make_videos(public_creator, 1)
    user = sandbox.get(
        "/v2/user/info/?fields=avatar_url", token=public_tokens.access_token
    ).json()["data"]["user"]
    video = list_videos(sandbox, public_tokens, {}, fields="cover_image_url").json()
    # when
    avatar = sandbox.get(user["avatar_url"].removeprefix(sandbox.base))
    cover = sandbox.get(
        video["data"]["videos"][0]["cover_image_url"].removeprefix(sandbox.base)
    )
    # then
    assert avatar.headers["Content-Type"] == "image/svg+xml"
    assert cover.headers["Content-Type"] == "image/svg+xml"
