"""The composer's rules, without a database."""

from __future__ import annotations

import pytest

from tiktok_integration.client import CreatorInfo
from tiktok_integration.composer import CreatorRules, PostChoices, check_post

# As TikTok answers creator_info/query (docs/tiktok.md §4.2).
CREATOR = CreatorRules(
    info=CreatorInfo.from_api(
        {
            "creator_nickname": "Sandbox",
            "creator_username": "sandbox.public",
            "privacy_level_options": [
                "PUBLIC_TO_EVERYONE",
                "MUTUAL_FOLLOW_FRIENDS",
                "SELF_ONLY",
            ],
            "comment_disabled": True,
            "duet_disabled": False,
            "stitch_disabled": False,
            "max_video_post_duration_sec": 60,
        }
    ),
    can_post=True,
)


def video(**fields: object) -> PostChoices:
    values: dict[str, object] = {
        "mode": "direct", "media_kind": "video", "caption": "Hi",
        "privacy_level": "SELF_ONLY", "video_duration_seconds": 30.0,
    }  # fmt: skip
    values.update(fields)
    return PostChoices(**values)  # type: ignore[arg-type]


def messages(choices: PostChoices, creator: CreatorRules = CREATOR) -> list[str]:
    return [problem.message for problem in check_post(choices, creator)]


def test_valid_choices_pass():
    assert messages(video()) == []


def test_privacy_has_no_default():
    assert messages(video(privacy_level="")) == ["Choose who can view the post."]


def test_privacy_must_be_offered_now():
    problems = check_post(video(privacy_level="FOLLOWER_OF_CREATOR"), CREATOR)
    assert len(problems) == 1 and problems[0].from_creator


def test_drafts_send_no_privacy():
    assert messages(video(mode="draft", privacy_level="")) == []


def test_disabled_comments_cannot_be_allowed():
    assert "Comments are turned off" in messages(video(allow_comment=True))[0]


def test_branded_content_cannot_be_private():
    assert "cannot be private" in messages(video(brand_content=True))[0]


@pytest.mark.parametrize(
    ("caption", "ok"), [("a" * 2200, True), ("a" * 2201, False), ("😀" * 1101, False)]
)
def test_caption_is_counted_in_utf16_units(caption, ok):
    assert (messages(video(caption=caption)) == []) is ok


def test_photo_title_and_description_limits():
    photo = PostChoices(
        mode="direct", media_kind="photo", caption="d" * 4001, privacy_level="SELF_ONLY",
        photo_title="t" * 91, media_count=3,
    )  # fmt: skip
    fields = {problem.field for problem in check_post(photo, CREATOR)}
    assert fields == {"photo_title", "caption"}


def test_video_longer_than_the_creator_allows():
    problems = check_post(video(video_duration_seconds=61.0), CREATOR)
    assert problems[0].from_creator and "at most 60 s" in problems[0].message


def test_at_most_35_photos_and_a_cover_among_them():
    many = PostChoices(
        mode="direct", media_kind="photo", caption="", privacy_level="SELF_ONLY",
        media_count=36,
    )  # fmt: skip
    bad_cover = PostChoices(
        mode="direct", media_kind="photo", caption="", privacy_level="SELF_ONLY",
        media_count=2, photo_cover_index=2,
    )  # fmt: skip
    assert "1 to 35 photos" in messages(many)[0]
    assert "cover" in messages(bad_cover)[0]


def test_a_creator_who_cannot_post():
    blocked = CreatorRules.from_snapshot({"can_post": False, "blocked_reason": "cap"})
    assert messages(video(), blocked)[0].startswith("TikTok says this account cannot")
