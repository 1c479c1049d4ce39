"""The composer's rules, pure: what staff chose, checked against what TikTok allows.

The admin's job form and the dispatcher's last check before init use the same
function, so a post that was valid when staff consented but is not any more
(the creator changed a setting) is caught the same way and paused for
confirmation instead of being quietly changed (docs/tiktok.md §8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tiktok_integration.client import (
    CreatorInfo,
    PhotoPostRequest,
    PostMode,
    VideoPostRequest,
    utf16_length,
)
from tiktok_integration.client.facts import (
    MAX_PHOTO_IMAGES,
    PHOTO_DESCRIPTION_MAX_UTF16,
    PHOTO_TITLE_MAX_UTF16,
    VIDEO_TITLE_MAX_UTF16,
    PrivacyLevel,
)

DIRECT = "direct"
DRAFT = "draft"
#: Scope each mode needs (docs/tiktok.md §2): a draft goes to the inbox with
#: video.upload alone; only a direct post needs video.publish.
SCOPE_FOR_MODE = {DIRECT: "video.publish", DRAFT: "video.upload"}
#: What TikTok receives with an inbox draft: a video init is source_info only
#: (§4.4); a photo MEDIA_UPLOAD takes title, description and cover (§4.5).
#: These choices are therefore never stored for a draft.
DIRECT_ONLY_FIELDS = (
    "privacy_level",
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "brand_organic",
    "brand_content",
    "is_aigc",
)
#: Words for the direct-only choices a draft cannot carry.
_DRAFT_EXTRA_LABELS = {
    "privacy_level": "'who can view' setting",
    "allow_comment": "comments setting",
    "allow_duet": "Duet setting",
    "allow_stitch": "Stitch setting",
    "brand_organic": "'your brand' disclosure",
    "brand_content": "'branded content' disclosure",
    "is_aigc": "'AI-generated' label",
    "cover_timestamp_ms": "cover frame",
}
MUSIC_DECLARATION = "By posting, you agree to TikTok's Music Usage Confirmation."
BRANDED_DECLARATION = (
    "By posting, you agree to TikTok's Branded Content Policy and Music Usage "
    "Confirmation."
)
VIDEO = "video"
PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class CreatorRules:
    """What TikTok's creator info (§4.2) says the creator may post right now.

    ``info`` is the client's ``CreatorInfo``; ``can_post`` is False when TikTok
    said the creator cannot post now (§4.2's HTTP-200 refusals, a missing scope)
    or nothing was asked yet, with TikTok's reason in ``blocked_reason``.
    """

    info: CreatorInfo
    can_post: bool
    blocked_reason: str = ""

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, Any]) -> CreatorRules:
        """From the JSON stored on the account or job (written by
        ``services.accounts.creator_info_snapshot``); missing keys read as
        nothing offered and nothing disabled."""
        return cls(
            info=CreatorInfo(
                nickname=str(snapshot.get("nickname") or ""),
                username=str(snapshot.get("username") or ""),
                avatar_url=str(snapshot.get("avatar_url") or ""),
                privacy_level_options=tuple(
                    snapshot.get("privacy_level_options") or ()
                ),
                comment_disabled=bool(snapshot.get("comment_disabled")),
                duet_disabled=bool(snapshot.get("duet_disabled")),
                stitch_disabled=bool(snapshot.get("stitch_disabled")),
                max_video_post_duration_sec=snapshot.get("max_video_post_duration_sec"),
            ),
            can_post=bool(snapshot.get("can_post", False)),
            blocked_reason=str(snapshot.get("blocked_reason") or ""),
        )


@dataclass(frozen=True, slots=True)
class PostChoices:
    """Everything staff chose for one post on one account."""

    mode: str
    media_kind: str
    caption: str
    privacy_level: str = ""
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    brand_organic: bool = False
    brand_content: bool = False
    is_aigc: bool = False
    cover_timestamp_ms: int | None = None
    photo_title: str = ""
    photo_cover_index: int = 0
    video_duration_seconds: float | None = None
    media_count: int = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule. ``field`` is a ``PostChoices`` field, "caption",
    "media", or '' for the whole post; ``from_creator`` marks a rule that only
    the creator's settings broke."""

    field: str
    message: str
    from_creator: bool = False


def _sends_privacy(choices: PostChoices) -> bool:
    # Inbox drafts carry no post_info: the creator picks privacy in the app.
    return choices.mode == DIRECT


def check_post(choices: PostChoices, creator: CreatorRules) -> list[Problem]:
    """Every rule the choices break, as sentences for staff (empty: all good)."""
    problems: list[Problem] = []
    if not creator.can_post:
        problems.append(
            Problem(
                "",
                "TikTok says this account cannot post right now"
                + (f": {creator.blocked_reason}" if creator.blocked_reason else "."),
                from_creator=True,
            )
        )
    problems += _check_privacy(choices, creator)
    problems += _check_interactions(choices, creator)
    problems += _check_text(choices)
    problems += _check_media(choices, creator)
    return problems


def _check_privacy(choices: PostChoices, creator: CreatorRules) -> list[Problem]:
    if not _sends_privacy(choices):
        return []
    if not choices.privacy_level:
        return [Problem("privacy_level", "Choose who can view the post.")]
    problems = []
    if choices.privacy_level not in creator.info.privacy_level_options:
        offered = ", ".join(creator.info.privacy_level_options) or "none"
        problems.append(
            Problem(
                "privacy_level",
                f"TikTok no longer offers '{choices.privacy_level}' for this "
                f"account (it offers: {offered}); choose one of those.",
                from_creator=True,
            )
        )
    if choices.brand_content and choices.privacy_level == PrivacyLevel.SELF_ONLY:
        problems.append(
            Problem(
                "brand_content",
                "Branded content cannot be private: choose another audience or "
                "turn off 'branded content'.",
            )
        )
    return problems


def _check_interactions(choices: PostChoices, creator: CreatorRules) -> list[Problem]:
    if choices.mode != DIRECT:
        return []
    checks = [("allow_comment", choices.allow_comment, creator.info.comment_disabled)]
    if choices.media_kind == VIDEO:
        # Duet and Stitch do not exist for photo posts.
        checks += [
            ("allow_duet", choices.allow_duet, creator.info.duet_disabled),
            ("allow_stitch", choices.allow_stitch, creator.info.stitch_disabled),
        ]
    labels = {
        "allow_comment": "Comments",
        "allow_duet": "Duet",
        "allow_stitch": "Stitch",
    }
    return [
        Problem(
            field,
            f"{labels[field]} are turned off in the creator's TikTok settings, so "
            "they cannot be allowed for this post.",
            from_creator=True,
        )
        for field, wanted, disabled in checks
        if wanted and disabled
    ]


def _check_text(choices: PostChoices) -> list[Problem]:
    if choices.media_kind == PHOTO:
        limits = [
            (
                "photo_title",
                choices.photo_title,
                PHOTO_TITLE_MAX_UTF16,
                "The photo title",
            ),
            ("caption", choices.caption, PHOTO_DESCRIPTION_MAX_UTF16, "The caption"),
        ]
    else:
        limits = [("caption", choices.caption, VIDEO_TITLE_MAX_UTF16, "The caption")]
    problems = []
    for field, text, limit, label in limits:
        length = utf16_length(text)
        if length > limit:
            problems.append(
                Problem(
                    field,
                    f"{label} is {length} characters as TikTok counts them "
                    f"(UTF-16 units); at most {limit} are allowed.",
                )
            )
    return problems


def _check_media(choices: PostChoices, creator: CreatorRules) -> list[Problem]:
    if choices.media_kind == PHOTO:
        if not 1 <= choices.media_count <= MAX_PHOTO_IMAGES:
            return [
                Problem(
                    "media",
                    f"A photo post needs 1 to {MAX_PHOTO_IMAGES} photos, not "
                    f"{choices.media_count}.",
                )
            ]
        if not 0 <= choices.photo_cover_index < choices.media_count:
            return [
                Problem(
                    "photo_cover_index",
                    f"The cover must be one of the {choices.media_count} photos "
                    f"(0 to {choices.media_count - 1}).",
                )
            ]
        return []
    if choices.media_count != 1:
        return [Problem("media", "A video post needs exactly one video.")]
    problems = []
    duration = choices.video_duration_seconds
    limit = creator.info.max_video_post_duration_sec
    if duration is not None and limit is not None and duration > limit:
        problems.append(
            Problem(
                "media",
                f"The video is {duration:.0f} s long; this creator may post at "
                f"most {limit} s. Trim it or choose another video.",
                from_creator=True,
            )
        )
    cover = choices.cover_timestamp_ms
    if cover is not None and duration is not None and cover > duration * 1000:
        problems.append(
            Problem(
                "cover_timestamp_ms",
                f"The cover moment ({cover} ms) is after the end of the video "
                f"({duration * 1000:.0f} ms).",
            )
        )
    return problems


#: What a draft is checked against: creator info is a Direct Post endpoint
#: (video.publish, §4.2), so none of its limits apply to a draft, and an
#: account that granted only video.upload cannot be asked.
DRAFT_RULES = CreatorRules(
    info=CreatorInfo("", "", "", (), False, False, False, None), can_post=True
)


def missing_scope(mode: str, granted_scopes: Iterable[str]) -> str:
    """'' when ``granted_scopes`` hold the scope ``mode`` needs (§2: a draft
    needs video.upload, a direct post video.publish; nothing more), else a
    sentence for staff."""
    needed = SCOPE_FOR_MODE.get(mode, "")
    if needed and needed in set(granted_scopes):
        return ""
    if mode == DIRECT:
        return (
            "The account did not grant video.publish, which posting directly "
            "needs: reconnect it with that permission, or send a draft instead."
        )
    return (
        "The account did not grant video.upload, which sending drafts to the "
        "inbox needs: reconnect it with that permission."
    )


def draft_extras(choices: PostChoices) -> list[Problem]:
    """The choices a draft cannot carry (empty for a direct post): an inbox
    video init is ``source_info`` only (§4.4) and a photo MEDIA_UPLOAD takes no
    privacy, interaction or disclosure settings (§4.5). Storing them would
    pretend TikTok receives them, so staff are told to clear them."""
    if choices.mode != DRAFT:
        return []
    names = [name for name in DIRECT_ONLY_FIELDS if getattr(choices, name)]
    if choices.media_kind == VIDEO and choices.cover_timestamp_ms is not None:
        names.append("cover_timestamp_ms")
    return [
        Problem(
            name,
            f"A draft sent to the inbox carries no {_DRAFT_EXTRA_LABELS[name]}: "
            "TikTok does not receive it, the creator sets it in the TikTok app. "
            "Clear it, or post directly.",
        )
        for name in names
    ]


def declaration_for(*, brand_content: bool) -> str:
    """The declaration shown before the publish button of a direct post
    (docs/tiktok.md §8.3, §8.5): the branded-content one when "Branded
    content" is ticked, else the music one."""
    return BRANDED_DECLARATION if brand_content else MUSIC_DECLARATION


def video_post_request(choices: PostChoices) -> VideoPostRequest:
    """The Direct Post ``post_info``; raises ValueError if a rule is broken."""
    return VideoPostRequest(
        privacy_level=choices.privacy_level,
        title=choices.caption,
        disable_comment=not choices.allow_comment,
        disable_duet=not choices.allow_duet,
        disable_stitch=not choices.allow_stitch,
        video_cover_timestamp_ms=choices.cover_timestamp_ms,
        brand_content_toggle=choices.brand_content,
        brand_organic_toggle=choices.brand_organic,
        is_aigc=choices.is_aigc,
    )


def photo_post_request(
    choices: PostChoices, photo_urls: Sequence[str]
) -> PhotoPostRequest:
    """A photo post from verified URLs; raises ValueError if a rule is broken."""
    is_direct = choices.mode == DIRECT
    return PhotoPostRequest(
        post_mode=PostMode.DIRECT_POST if is_direct else PostMode.MEDIA_UPLOAD,
        photo_images=tuple(photo_urls),
        photo_cover_index=choices.photo_cover_index,
        title=choices.photo_title,
        description=choices.caption,
        privacy_level=choices.privacy_level if is_direct else None,
        disable_comment=not choices.allow_comment,
        brand_content_toggle=choices.brand_content,
        brand_organic_toggle=choices.brand_organic,
    )
