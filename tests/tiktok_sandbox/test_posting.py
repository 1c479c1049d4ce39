"""Content Posting strictness: creator info, the three inits and their refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.tiktok_sandbox.server import SandboxApi
from tiktok_sandbox import selectors
from tiktok_sandbox.models import SandboxCreator, SandboxPublish
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_creator_create,
    sandbox_creator_update,
    sandbox_settings_update,
    sandbox_tokens_issue,
)

DIRECT = "/v2/post/publish/video/init/"
INBOX = "/v2/post/publish/inbox/video/init/"
PHOTO = "/v2/post/publish/content/init/"
CREATOR_INFO = "/v2/post/publish/creator_info/query/"
SMALL_FILE = {
    "source": "FILE_UPLOAD",
    "video_size": 1000,
    "chunk_size": 1000,
    "total_chunk_count": 1,
}
MB = 1024 * 1024


def direct(privacy: str = "PUBLIC_TO_EVERYONE", **post_info: Any) -> dict[str, Any]:
    return {
        "post_info": {"privacy_level": privacy, "title": "hello #sandbox", **post_info},
        "source_info": SMALL_FILE,
    }


def photo(sandbox: SandboxApi, post_mode: str = "DIRECT_POST") -> dict[str, Any]:
    post_info: dict[str, Any] = {"title": "Photos", "description": "Two photos"}
    if post_mode == "DIRECT_POST":
        post_info["privacy_level"] = "SELF_ONLY"
    return {
        "media_type": "PHOTO",
        "post_mode": post_mode,
        "post_info": post_info,
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_images": [
                f"{sandbox.url}/media/a.jpg",
                f"{sandbox.url}/media/b.jpg",
            ],
            "photo_cover_index": 1,
        },
    }


def error_of(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# --- creator_info ---------------------------------------------------------------


def test_creator_info_answers_the_documented_fields(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # when
    response = sandbox.post(CREATOR_INFO, token=public_tokens.access_token)
    # then
    body = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert body["error"]["code"] == "ok"
    assert body["error"]["message"] == ""
    assert len(body["error"]["log_id"]) == 34
    assert body["error"]["log_id"][:14].isdigit()
    assert body["data"] == {
        "creator_avatar_url": body["data"]["creator_avatar_url"],
        "creator_username": "sandbox.public",
        "creator_nickname": "Pat Public",
        "privacy_level_options": [
            "PUBLIC_TO_EVERYONE",
            "MUTUAL_FOLLOW_FRIENDS",
            "SELF_ONLY",
        ],
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": False,
        "max_video_post_duration_sec": 600,
    }
    assert body["data"]["creator_avatar_url"].startswith(sandbox.url)


def test_creator_info_for_a_private_account(
    sandbox: SandboxApi, private_tokens: IssuedTokens
) -> None:
    # when
    data = sandbox.post(CREATOR_INFO, token=private_tokens.access_token).json()["data"]
    # then
    assert data["privacy_level_options"] == [
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert data["duet_disabled"] is True
    assert data["stitch_disabled"] is True


def test_creator_info_reflects_configured_creator(sandbox: SandboxApi) -> None:
    # given: "comments disabled", "max duration 60 s", "only SELF_ONLY"
    creator = SandboxCreator.objects.get(username="sandbox.nocomments")
    sandbox_creator_update(creator=creator, privacy_level_options=["SELF_ONLY"])
    tokens = sandbox_tokens_issue(creator=creator, scopes=["video.publish"])
    # when
    data = sandbox.post(CREATOR_INFO, token=tokens.access_token).json()["data"]
    # then
    assert data["comment_disabled"] is True
    assert data["max_video_post_duration_sec"] == 60
    assert data["privacy_level_options"] == ["SELF_ONLY"]


def test_creator_info_needs_video_publish(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["video.upload"])
    # when
    response = sandbox.post(CREATOR_INFO, token=tokens.access_token)
    # then
    assert error_of(response) == (401, "scope_not_authorized")


@pytest.mark.parametrize("header", [None, "Bearer act.unknown", "Basic abc"])
def test_missing_or_unknown_token_is_access_token_invalid(
    sandbox: SandboxApi, header: str | None
) -> None:
    # when
    response = sandbox.post(
        CREATOR_INFO, token=header.split(" ")[1] if header else None
    )
    # then
    assert error_of(response) == (401, "access_token_invalid")


def test_banned_creator_gets_http_200_on_creator_info_and_403_on_init(
    sandbox: SandboxApi, public_creator: SandboxCreator, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_creator_update(creator=public_creator, is_banned_from_posting=True)
    # when
    info = sandbox.post(CREATOR_INFO, token=public_tokens.access_token)
    init = sandbox.post(DIRECT, token=public_tokens.access_token, body=direct())
    inbox = sandbox.post(
        INBOX, token=public_tokens.access_token, body={"source_info": SMALL_FILE}
    )
    # then
    assert error_of(info) == (200, "spam_risk_user_banned_from_posting")
    assert error_of(init) == (403, "spam_risk_user_banned_from_posting")
    assert error_of(inbox) == (403, "spam_risk_user_banned_from_posting")


# --- direct video init ----------------------------------------------------------


def test_direct_file_init_returns_publish_id_and_absolute_upload_url(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # when
    response = sandbox.post(DIRECT, token=public_tokens.access_token, body=direct())
    # then
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["publish_id"].startswith("v_pub_file~v2-1.")
    assert len(data["publish_id"].split(".")[-1]) == 19
    assert data["upload_url"].startswith(f"{sandbox.url}/tiktok-sandbox/upload/?")
    assert "upload_id=" in data["upload_url"]
    assert "upload_token=" in data["upload_url"]
    publish = SandboxPublish.objects.get(publish_id=data["publish_id"])
    assert publish.status == "PROCESSING_UPLOAD"
    assert publish.post_info["title"] == "hello #sandbox"


@pytest.mark.parametrize(
    "body",
    [
        {"source_info": SMALL_FILE},
        {"post_info": {"title": "no privacy"}, "source_info": SMALL_FILE},
        {"post_info": {"privacy_level": "EVERYONE"}, "source_info": SMALL_FILE},
        direct(disable_comment="yes"),
        {"post_info": {"privacy_level": "SELF_ONLY"}},
        {
            "post_info": {"privacy_level": "SELF_ONLY"},
            "source_info": {"source": "UPLOAD"},
        },
    ],
)
def test_malformed_direct_init_is_invalid_param(
    sandbox: SandboxApi, public_tokens: IssuedTokens, body: dict[str, Any]
) -> None:
    # when
    response = sandbox.post(DIRECT, token=public_tokens.access_token, body=body)
    # then
    assert error_of(response) == (400, "invalid_param")


def test_init_body_must_be_json(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # when
    response = sandbox.post(DIRECT, token=public_tokens.access_token, body=[1, 2])
    # then
    assert error_of(response) == (400, "invalid_param")


def test_title_limit_counts_utf16_code_units(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given: 1100 emoji are 1100 Python characters but 2200 UTF-16 units
    at_limit = "😀" * 1100
    over_limit = at_limit + "a"
    # when
    ok = sandbox.post(
        DIRECT, token=public_tokens.access_token, body=direct(title=at_limit)
    )
    too_long = sandbox.post(
        DIRECT, token=public_tokens.access_token, body=direct(title=over_limit)
    )
    # then
    assert ok.status_code == 200
    assert error_of(too_long) == (400, "invalid_param")


def test_privacy_must_be_one_of_the_options(
    sandbox: SandboxApi, private_tokens: IssuedTokens
) -> None:
    # when: a private account has no PUBLIC_TO_EVERYONE
    response = sandbox.post(DIRECT, token=private_tokens.access_token, body=direct())
    # then
    assert error_of(response) == (403, "privacy_level_option_mismatch")


def test_unaudited_client_posts_only_self_only_to_private_accounts(
    sandbox: SandboxApi, public_tokens: IssuedTokens, private_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(is_audited=False)
    # when
    info = sandbox.post(CREATOR_INFO, token=private_tokens.access_token).json()
    public_account = sandbox.post(
        DIRECT, token=public_tokens.access_token, body=direct("SELF_ONLY")
    )
    followers = sandbox.post(
        DIRECT, token=private_tokens.access_token, body=direct("FOLLOWER_OF_CREATOR")
    )
    self_only = sandbox.post(
        DIRECT, token=private_tokens.access_token, body=direct("SELF_ONLY")
    )
    # then
    assert info["data"]["privacy_level_options"] == ["SELF_ONLY"]
    assert error_of(public_account) == (
        403,
        "unaudited_client_can_only_post_to_private_accounts",
    )
    assert error_of(followers) == (403, "privacy_level_option_mismatch")
    assert self_only.status_code == 200


def test_unaudited_client_reaches_the_active_user_cap_at_five_creators(
    sandbox: SandboxApi,
) -> None:
    # given: five private creators post today
    sandbox_settings_update(is_audited=False)
    for index in range(5):
        creator = sandbox_creator_create(
            username=f"cap{index}", is_private_account=True
        )
        tokens = sandbox_tokens_issue(creator=creator, scopes=["video.publish"])
        ok = sandbox.post(DIRECT, token=tokens.access_token, body=direct("SELF_ONLY"))
        assert ok.status_code == 200
    sixth = sandbox_creator_create(username="cap5", is_private_account=True)
    tokens = sandbox_tokens_issue(creator=sixth, scopes=["video.publish"])
    # when
    info = sandbox.post(CREATOR_INFO, token=tokens.access_token)
    init = sandbox.post(DIRECT, token=tokens.access_token, body=direct("SELF_ONLY"))
    # then
    assert error_of(info) == (200, "reached_active_user_cap")
    assert error_of(init) == (403, "reached_active_user_cap")


@pytest.mark.parametrize(
    ("video_size", "chunk_size", "total_chunk_count"),
    [
        (50_000_123, 10_000_000, 6),  # count must be floor(size / chunk)
        (12 * MB, 4 * MB, 3),  # chunks under 5 MB
        (200_000_000, 65_000_000, 3),  # chunks over 64 MB
        (70_000_000, 70_000_000, 1),  # over 64 MB in one piece
        (300_000_000, 60_000_000, 4),  # final chunk over 128 MB
        (4_100_000_000, 10_000_000, 410),  # over 4 GB
        (0, 0, 0),
    ],
)
def test_chunk_plan_breaking_the_rules_is_invalid_param(
    sandbox: SandboxApi,
    public_tokens: IssuedTokens,
    video_size: int,
    chunk_size: int,
    total_chunk_count: int,
) -> None:
    # given
    body = direct()
    body["source_info"] = {
        "source": "FILE_UPLOAD",
        "video_size": video_size,
        "chunk_size": chunk_size,
        "total_chunk_count": total_chunk_count,
    }
    # when
    response = sandbox.post(DIRECT, token=public_tokens.access_token, body=body)
    # then
    assert error_of(response) == (400, "invalid_param")


@pytest.mark.parametrize(
    ("video_size", "chunk_size", "total_chunk_count"),
    [
        (50_000_123, 10_000_000, 5),  # the documented example
        (3 * MB, 3 * MB, 1),  # under 5 MB: one piece
        (20_000_000, 20_000_000, 1),  # one piece up to 64 MB
        (130_000_000, 64_000_000, 2),  # the last chunk carries 2 MB extra
    ],
)
def test_valid_chunk_plans_are_accepted(
    sandbox: SandboxApi,
    public_tokens: IssuedTokens,
    video_size: int,
    chunk_size: int,
    total_chunk_count: int,
) -> None:
    # given
    body = direct()
    body["source_info"] = {
        "source": "FILE_UPLOAD",
        "video_size": video_size,
        "chunk_size": chunk_size,
        "total_chunk_count": total_chunk_count,
    }
    # when
    response = sandbox.post(DIRECT, token=public_tokens.access_token, body=body)
    # then
    assert response.status_code == 200


def test_pull_from_url_needs_a_verified_prefix(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(verified_url_prefixes=["https://cdn.example.com/videos/"])

    def pull(url: str) -> Any:
        body = direct()
        body["source_info"] = {"source": "PULL_FROM_URL", "video_url": url}
        return sandbox.post(DIRECT, token=public_tokens.access_token, body=body)

    # when
    verified = pull("https://cdn.example.com/videos/clip.mp4")
    other_path = pull("https://cdn.example.com/other/clip.mp4")
    other_host = pull("https://evil.example.com/videos/clip.mp4")
    own_media = pull(f"{sandbox.url}/media/clip.mp4")
    # then
    assert verified.status_code == 200
    assert verified.json()["data"]["publish_id"].startswith("v_pub_url~v2-1.")
    assert "upload_url" not in verified.json()["data"]
    assert error_of(other_path) == (403, "url_ownership_unverified")
    assert error_of(other_host) == (403, "url_ownership_unverified")
    assert own_media.status_code == 200


def test_domain_property_covers_subdomains_over_https_only(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(
        verified_url_prefixes=["static.example.com"], is_own_media_url_verified=False
    )

    def pull(url: str) -> int:
        body = direct()
        body["source_info"] = {"source": "PULL_FROM_URL", "video_url": url}
        return sandbox.post(
            DIRECT, token=public_tokens.access_token, body=body
        ).status_code

    # then
    assert pull("https://video.static.example.com/a.mp4") == 200
    assert pull("https://example.com/a.mp4") == 403
    assert pull("http://static.example.com/a.mp4") == 403


def test_daily_post_cap(sandbox: SandboxApi, public_creator: SandboxCreator) -> None:
    # given
    sandbox_creator_update(creator=public_creator, daily_post_cap=2)
    first, second = (
        sandbox_tokens_issue(creator=public_creator, scopes=["video.publish"])
        for _ in range(2)
    )
    for tokens in (first, second):
        assert sandbox.post(DIRECT, token=tokens.access_token, body=direct()).ok
    # when: a fresh token does not reset a per-creator cap
    third = sandbox_tokens_issue(creator=public_creator, scopes=["video.publish"])
    init = sandbox.post(DIRECT, token=third.access_token, body=direct())
    info = sandbox.post(CREATOR_INFO, token=third.access_token)
    # then
    assert error_of(init) == (403, "spam_risk_too_many_posts")
    assert error_of(info) == (200, "spam_risk_too_many_posts")


# --- inbox ----------------------------------------------------------------------


def test_inbox_init_needs_video_upload_scope(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["video.publish"])
    # when
    response = sandbox.post(
        INBOX, token=tokens.access_token, body={"source_info": SMALL_FILE}
    )
    # then
    assert error_of(response) == (401, "scope_not_authorized")


def test_direct_init_needs_video_publish_scope(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["video.upload"])
    # when
    response = sandbox.post(DIRECT, token=tokens.access_token, body=direct())
    # then
    assert error_of(response) == (401, "scope_not_authorized")


def test_inbox_init_takes_source_info_only(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # when
    response = sandbox.post(
        INBOX, token=public_tokens.access_token, body={"source_info": SMALL_FILE}
    )
    # then
    assert response.json()["data"]["publish_id"].startswith("v_inbox_file~v2.")


def test_sixth_pending_inbox_share_is_refused(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given: separate tokens, so the 6/min init limit is not what refuses
    for _ in range(5):
        tokens = sandbox_tokens_issue(creator=public_creator, scopes=["video.upload"])
        body = {"source_info": SMALL_FILE}
        assert sandbox.post(INBOX, token=tokens.access_token, body=body).ok
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=["video.upload"])
    # when
    response = sandbox.post(
        INBOX, token=tokens.access_token, body={"source_info": SMALL_FILE}
    )
    # then
    assert error_of(response) == (403, "spam_risk_too_many_pending_share")


# --- photos ---------------------------------------------------------------------


def test_photo_direct_post(sandbox: SandboxApi, public_tokens: IssuedTokens) -> None:
    # when
    response = sandbox.post(
        PHOTO, token=public_tokens.access_token, body=photo(sandbox)
    )
    # then
    assert response.json()["data"]["publish_id"].startswith("p_pub_url~v2.")
    assert "upload_url" not in response.json()["data"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"media_type": "VIDEO"}, "invalid_param"),
        ({"post_mode": "DIRECT POST"}, "invalid_param"),
        (
            {"post_info": {"privacy_level": "SELF_ONLY", "title": "x" * 91}},
            "invalid_param",
        ),
        (
            {"post_info": {"privacy_level": "SELF_ONLY", "description": "x" * 4001}},
            "invalid_param",
        ),
    ],
)
def test_photo_refusals(
    sandbox: SandboxApi,
    public_tokens: IssuedTokens,
    change: dict[str, Any],
    code: str,
) -> None:
    # when
    body = {**photo(sandbox), **change}
    response = sandbox.post(PHOTO, token=public_tokens.access_token, body=body)
    # then
    assert error_of(response) == (400, code)


def test_photo_source_rules(sandbox: SandboxApi, public_tokens: IssuedTokens) -> None:
    # given
    too_many = photo(sandbox)
    too_many["source_info"]["photo_images"] = [f"{sandbox.url}/media/p.jpg"] * 36
    bad_cover = photo(sandbox)
    bad_cover["source_info"]["photo_cover_index"] = 2
    uploaded = photo(sandbox)
    uploaded["source_info"]["source"] = "FILE_UPLOAD"
    unverified = photo(sandbox)
    unverified["source_info"]["photo_images"] = ["https://elsewhere.example/p.jpg"]
    unverified["source_info"]["photo_cover_index"] = 0
    token = public_tokens.access_token
    # then
    for body in (too_many, bad_cover, uploaded):
        assert error_of(sandbox.post(PHOTO, token=token, body=body)) == (
            400,
            "invalid_param",
        )
    assert error_of(sandbox.post(PHOTO, token=token, body=unverified)) == (
        403,
        "url_ownership_unverified",
    )


def test_photo_media_upload_needs_a_current_app_and_video_upload(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    publish_only = sandbox_tokens_issue(
        creator=public_creator, scopes=["video.publish"]
    )
    upload = sandbox_tokens_issue(creator=public_creator, scopes=["video.upload"])
    body = photo(sandbox, post_mode="MEDIA_UPLOAD")
    # when
    no_scope = sandbox.post(PHOTO, token=publish_only.access_token, body=body)
    ok = sandbox.post(PHOTO, token=upload.access_token, body=body)
    sandbox_creator_update(creator=public_creator, has_outdated_app=True)
    outdated = sandbox.post(PHOTO, token=upload.access_token, body=body)
    # then
    assert error_of(no_scope) == (401, "scope_not_authorized")
    assert ok.json()["data"]["publish_id"].startswith("p_inbox_url~v2.")
    assert error_of(outdated) == (400, "app_version_check_failed")


# --- rate limits ----------------------------------------------------------------


def test_seventh_init_in_a_minute_is_rate_limited(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given: the three init endpoints share one budget of 6 per token
    token = public_tokens.access_token
    for _ in range(4):
        assert sandbox.post(DIRECT, token=token, body=direct()).ok
    assert sandbox.post(INBOX, token=token, body={"source_info": SMALL_FILE}).ok
    assert sandbox.post(PHOTO, token=token, body=photo(sandbox)).ok
    # when
    seventh = sandbox.post(DIRECT, token=token, body=direct())
    # then
    assert error_of(seventh) == (429, "rate_limit_exceeded")
    assert "Retry-After" not in seventh.headers
    assert selectors.sandbox_init_count() == 6


def test_rate_limit_window_slides(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    start = timezone.now()
    token = public_tokens.access_token
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            assert sandbox.post(DIRECT, token=token, body=direct()).ok
        assert sandbox.post(DIRECT, token=token, body=direct()).status_code == 429
    # when
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        later = sandbox.post(DIRECT, token=token, body=direct())
    # then
    assert later.status_code == 200


def test_creator_info_allows_20_per_minute(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    for _ in range(20):
        assert sandbox.post(CREATOR_INFO, token=public_tokens.access_token).ok
    # when
    response = sandbox.post(CREATOR_INFO, token=public_tokens.access_token)
    # then
    assert error_of(response) == (429, "rate_limit_exceeded")
