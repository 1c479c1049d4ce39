"""The composer's rules, without a database."""

from __future__ import annotations

import pytest

from tiktok_integration.client import CreatorInfo
from tiktok_integration.composer import (
    CreatorRules,
    PostChoices,
    Problem,
    check_post,
    photo_post_request,
    video_post_request,
)

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


def photo(**fields: object) -> PostChoices:
    values: dict[str, object] = {
        "mode": "direct", "media_kind": "photo", "caption": "Hi",
        "privacy_level": "SELF_ONLY", "media_count": 3,
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


def test_a_creator_who_cannot_post_is_told_why_when_tiktok_said_why():
    with_reason = CreatorRules.from_snapshot(
        {"can_post": False, "blocked_reason": "cap"}
    )
    without = CreatorRules.from_snapshot({})
    expected = "TikTok says this account cannot post right now"
    assert check_post(video(), with_reason)[0] == Problem(
        "", f"{expected}: cap", from_creator=True
    )
    assert check_post(video(), without)[0] == Problem(
        "", f"{expected}.", from_creator=True
    )


def test_a_stored_snapshot_reads_back_as_what_tiktok_said():
    # As services.accounts stores creator info on the account and the job.
    snapshot = {
        "nickname": "Ada", "username": "ada", "avatar_url": "https://a.example/x.jpg",
        "privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
        "comment_disabled": True, "duet_disabled": True, "stitch_disabled": True,
        "max_video_post_duration_sec": 600, "can_post": True,
        "blocked_reason": "not really",
    }  # fmt: skip
    assert CreatorRules.from_snapshot(snapshot) == CreatorRules(
        info=CreatorInfo(
            nickname="Ada", username="ada", avatar_url="https://a.example/x.jpg",
            privacy_level_options=("PUBLIC_TO_EVERYONE", "SELF_ONLY"),
            comment_disabled=True, duet_disabled=True, stitch_disabled=True,
            max_video_post_duration_sec=600,
        ),
        can_post=True,
        blocked_reason="not really",
    )  # fmt: skip


def test_an_empty_snapshot_offers_nothing_and_cannot_post():
    assert CreatorRules.from_snapshot({}) == CreatorRules(
        info=CreatorInfo(
            nickname="", username="", avatar_url="", privacy_level_options=(),
            comment_disabled=False, duet_disabled=False, stitch_disabled=False,
            max_video_post_duration_sec=None,
        ),
        can_post=False,
        blocked_reason="",
    )  # fmt: skip


def test_the_privacy_problems_name_the_field_and_what_is_offered():
    offers_nothing = CreatorRules.from_snapshot({"can_post": True})
    assert check_post(video(privacy_level=""), CREATOR) == [
        Problem("privacy_level", "Choose who can view the post.")
    ]
    assert check_post(video(privacy_level="FOLLOWER_OF_CREATOR"), CREATOR) == [
        Problem(
            "privacy_level",
            "TikTok no longer offers 'FOLLOWER_OF_CREATOR' for this account (it "
            "offers: PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY); choose "
            "one of those.",
            from_creator=True,
        )
    ]
    assert "(it offers: none)" in messages(video(), offers_nothing)[0]
    assert check_post(video(brand_content=True), CREATOR) == [
        Problem(
            "brand_content",
            "Branded content cannot be private: choose another audience or turn "
            "off 'branded content'.",
        )
    ]
    assert messages(video(brand_content=True, privacy_level="PUBLIC_TO_EVERYONE")) == []


def test_duet_and_stitch_turned_off_by_the_creator_cannot_be_allowed_on_videos():
    creator = CreatorRules.from_snapshot(
        {
            "privacy_level_options": ["SELF_ONLY"], "can_post": True,
            "comment_disabled": True, "duet_disabled": True, "stitch_disabled": True,
        }
    )  # fmt: skip
    wanted = {"allow_comment": True, "allow_duet": True, "allow_stitch": True}
    problems = check_post(video(**wanted), creator)
    assert problems == [
        Problem(
            field,
            f"{label} are turned off in the creator's TikTok settings, so they "
            "cannot be allowed for this post.",
            from_creator=True,
        )
        for field, label in [
            ("allow_comment", "Comments"),
            ("allow_duet", "Duet"),
            ("allow_stitch", "Stitch"),
        ]
    ]
    # Photos have no Duet or Stitch; drafts leave every setting to the app.
    assert [p.field for p in check_post(photo(**wanted), creator)] == ["allow_comment"]
    draft = video(mode="draft", privacy_level="", **wanted)
    assert check_post(draft, creator) == []
    assert check_post(video(), creator) == []


def test_text_limits_say_how_long_the_text_is_and_the_limit():
    assert check_post(video(caption="a" * 2201), CREATOR) == [
        Problem(
            "caption",
            "The caption is 2201 characters as TikTok counts them (UTF-16 units); "
            "at most 2200 are allowed.",
        )
    ]
    too_long = photo(photo_title="t" * 91, caption="d" * 4001)
    assert [(p.field, p.message) for p in check_post(too_long, CREATOR)] == [
        (
            "photo_title",
            "The photo title is 91 characters as TikTok counts them (UTF-16 "
            "units); at most 90 are allowed.",
        ),
        (
            "caption",
            "The caption is 4001 characters as TikTok counts them (UTF-16 units); "
            "at most 4000 are allowed.",
        ),
    ]
    assert messages(photo(photo_title="t" * 90, caption="d" * 4000)) == []


@pytest.mark.parametrize(
    ("count", "cover", "problem"),
    [
        (1, 0, None),
        (35, 34, None),
        (0, 0, Problem("media", "A photo post needs 1 to 35 photos, not 0.")),
        (36, 0, Problem("media", "A photo post needs 1 to 35 photos, not 36.")),
        (
            2,
            2,
            Problem(
                "photo_cover_index", "The cover must be one of the 2 photos (0 to 1)."
            ),
        ),
        (
            2,
            -1,
            Problem(
                "photo_cover_index", "The cover must be one of the 2 photos (0 to 1)."
            ),
        ),
    ],
)
def test_a_photo_post_has_1_to_35_photos_and_its_cover_is_one_of_them(
    count, cover, problem
):
    problems = check_post(photo(media_count=count, photo_cover_index=cover), CREATOR)
    assert problems == ([problem] if problem else [])


def test_a_video_post_has_exactly_one_video():
    assert check_post(video(media_count=2), CREATOR) == [
        Problem("media", "A video post needs exactly one video.")
    ]


def test_a_video_may_be_as_long_as_the_creator_allows_and_no_longer():
    assert messages(video(video_duration_seconds=60.0)) == []
    assert check_post(video(video_duration_seconds=61.0), CREATOR) == [
        Problem(
            "media",
            "The video is 61 s long; this creator may post at most 60 s. Trim it "
            "or choose another video.",
            from_creator=True,
        )
    ]
    # Unknown duration or no limit from TikTok: nothing to check against.
    unlimited = CreatorRules.from_snapshot(
        {"privacy_level_options": ["SELF_ONLY"], "can_post": True}
    )
    assert messages(video(video_duration_seconds=None)) == []
    assert messages(video(video_duration_seconds=9999.0), unlimited) == []


def test_the_cover_moment_must_be_within_the_video():
    assert messages(video(cover_timestamp_ms=30_000)) == []
    assert check_post(video(cover_timestamp_ms=30_001), CREATOR) == [
        Problem(
            "cover_timestamp_ms",
            "The cover moment (30001 ms) is after the end of the video (30000 ms).",
        )
    ]
    assert messages(video(cover_timestamp_ms=99_999, video_duration_seconds=None)) == []


def test_every_broken_rule_is_reported_at_once():
    choices = video(privacy_level="", caption="a" * 2201, media_count=2)
    blocked = CreatorRules.from_snapshot({"can_post": False})
    assert [p.field for p in check_post(choices, blocked)] == [
        "",
        "privacy_level",
        "caption",
        "media",
    ]


def test_a_direct_video_sends_staffs_choices_as_post_info():
    choices = video(
        caption="Hello", privacy_level="PUBLIC_TO_EVERYONE", allow_comment=True,
        allow_duet=False, allow_stitch=True, cover_timestamp_ms=1500,
        brand_content=True, brand_organic=False, is_aigc=True,
    )  # fmt: skip
    assert video_post_request(choices).as_post_info() == {
        "privacy_level": "PUBLIC_TO_EVERYONE", "title": "Hello",
        "disable_comment": False, "disable_duet": True, "disable_stitch": False,
        "brand_content_toggle": True, "brand_organic_toggle": False, "is_aigc": True,
        "video_cover_timestamp_ms": 1500,
    }  # fmt: skip
    flipped = video(allow_duet=True, brand_organic=True)
    info = video_post_request(flipped).as_post_info()
    assert (info["disable_comment"], info["disable_duet"]) == (True, False)
    assert info["disable_stitch"] is True
    assert (info["brand_organic_toggle"], info["is_aigc"]) == (True, False)


def test_a_direct_photo_post_sends_privacy_and_settings_a_draft_does_not():
    urls = ["https://media.example/1.jpg", "https://media.example/2.jpg"]
    direct = photo(
        caption="Words", photo_title="Title", photo_cover_index=1,
        privacy_level="PUBLIC_TO_EVERYONE", allow_comment=True,
        brand_content=True, brand_organic=True,
    )  # fmt: skip
    assert photo_post_request(direct, urls).as_json() == {
        "media_type": "PHOTO",
        "post_mode": "DIRECT_POST",
        "post_info": {
            "title": "Title", "description": "Words",
            "privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": False,
            "auto_add_music": False, "brand_content_toggle": True,
            "brand_organic_toggle": True,
        },
        "source_info": {
            "source": "PULL_FROM_URL", "photo_images": urls, "photo_cover_index": 1,
        },
    }  # fmt: skip
    draft = photo(mode="draft", privacy_level="", caption="Words", photo_title="T")
    request = photo_post_request(draft, urls)
    assert request.as_json()["post_mode"] == "MEDIA_UPLOAD"
    assert request.as_json()["post_info"] == {"title": "T", "description": "Words"}
    assert request.privacy_level is None
    assert photo_post_request(photo(), urls).disable_comment is True
