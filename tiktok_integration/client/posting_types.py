"""Frozen request and response values of the TikTok client.

``from_api`` constructors raise ValueError when TikTok's payload lacks a field we
rely on or has the wrong type; the calling client turns that into a TikTokError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .errors import INVALID_CALLBACK, TikTokRejectedError, error_from_code
from .facts import (
    MAX_PHOTO_IMAGES,
    PHOTO_DESCRIPTION_MAX_UTF16,
    PHOTO_TITLE_MAX_UTF16,
    VIDEO_TITLE_MAX_UTF16,
    PrivacyLevel,
)
from .text import ensure_utf16_within

JsonObject = dict[str, Any]


class PostMode(StrEnum):
    DIRECT_POST = "DIRECT_POST"
    MEDIA_UPLOAD = "MEDIA_UPLOAD"


class PublishState(StrEnum):
    """Known ``status`` values of status/fetch; TikTok may add others."""

    PROCESSING_UPLOAD = "PROCESSING_UPLOAD"
    PROCESSING_DOWNLOAD = "PROCESSING_DOWNLOAD"
    SEND_TO_USER_INBOX = "SEND_TO_USER_INBOX"
    PUBLISH_COMPLETE = "PUBLISH_COMPLETE"
    FAILED = "FAILED"


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"'{key}' should be a string.")


def _required_str(data: Mapping[str, Any], key: str) -> str:
    value = _optional_str(data, key)
    if not value:
        raise ValueError(f"'{key}' is missing.")
    return value


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"'{key}' should be an integer.")


def _required_int(data: Mapping[str, Any], key: str) -> int:
    value = _optional_int(data, key)
    if value is None:
        raise ValueError(f"'{key}' is missing.")
    return value


def _optional_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"'{key}' should be a boolean.")


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise ValueError(f"'{key}' should be an object.")


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise ValueError(f"'{key}' should be a list.")


def _id_string(value: Any) -> str:
    # 19-digit post ids must stay exact, so they travel as strings.
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError("An id should be a string or an integer.")


def parse_scopes(value: str | None) -> frozenset[str]:
    """Split TikTok's comma-separated scope list into a set."""
    if not value:
        return frozenset()
    return frozenset(scope.strip() for scope in value.split(",") if scope.strip())


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One external call, for the caller's audit trail (no tokens, no URLs)."""

    endpoint: str
    method: str
    http_status: int | None
    code: str
    log_id: str
    duration_ms: int
    error_class: str | None


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A token response. Lifetimes are read from TikTok on every grant."""

    open_id: str
    scopes: frozenset[str]
    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str = field(repr=False)
    refresh_expires_in: int | None
    token_type: str

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> TokenGrant:
        return cls(
            open_id=_required_str(payload, "open_id"),
            scopes=parse_scopes(_optional_str(payload, "scope")),
            access_token=_required_str(payload, "access_token"),
            expires_in=_required_int(payload, "expires_in"),
            refresh_token=_required_str(payload, "refresh_token"),
            refresh_expires_in=_optional_int(payload, "refresh_expires_in"),
            token_type=_optional_str(payload, "token_type") or "Bearer",
        )


@dataclass(frozen=True, slots=True)
class PkcePair:
    verifier: str = field(repr=False)
    challenge: str


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """The query string TikTok redirects back with (§1.3: ``scopes`` is plural)."""

    code: str = field(repr=False)
    state: str
    scopes: frozenset[str]
    error: str
    error_description: str

    def raise_for_error(self) -> None:
        """Raise the mapped TikTokError if the callback reports an error or is
        missing ``code`` or ``state``; return None when it can be exchanged."""
        if self.error:
            raise error_from_code(
                endpoint="oauth_callback",
                http_status=None,
                code=self.error,
                message=self.error_description,
            )
        if not self.code or not self.state:
            raise TikTokRejectedError(
                code=INVALID_CALLBACK,
                message="The callback carried neither an error nor a code and state.",
                endpoint="oauth_callback",
            )


@dataclass(frozen=True, slots=True)
class UserInfo:
    """The fields asked for; any field not requested is None."""

    open_id: str | None = None
    union_id: str | None = None
    avatar_url: str | None = None
    avatar_url_100: str | None = None
    avatar_large_url: str | None = None
    display_name: str | None = None
    bio_description: str | None = None
    profile_deep_link: str | None = None
    is_verified: bool | None = None
    username: str | None = None
    follower_count: int | None = None
    following_count: int | None = None
    likes_count: int | None = None
    video_count: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> UserInfo:
        user = _object(data, "user")
        return cls(
            open_id=_optional_str(user, "open_id"),
            union_id=_optional_str(user, "union_id"),
            avatar_url=_optional_str(user, "avatar_url"),
            avatar_url_100=_optional_str(user, "avatar_url_100"),
            avatar_large_url=_optional_str(user, "avatar_large_url"),
            display_name=_optional_str(user, "display_name"),
            bio_description=_optional_str(user, "bio_description"),
            profile_deep_link=_optional_str(user, "profile_deep_link"),
            is_verified=_optional_bool(user, "is_verified"),
            username=_optional_str(user, "username"),
            follower_count=_optional_int(user, "follower_count"),
            following_count=_optional_int(user, "following_count"),
            likes_count=_optional_int(user, "likes_count"),
            video_count=_optional_int(user, "video_count"),
        )


@dataclass(frozen=True, slots=True)
class Video:
    """A public video; fields not requested are None. ``create_time`` is seconds."""

    id: str
    create_time: int | None = None
    cover_image_url: str | None = None
    share_url: str | None = None
    video_description: str | None = None
    duration: int | None = None
    height: int | None = None
    width: int | None = None
    title: str | None = None
    embed_html: str | None = None
    embed_link: str | None = None
    like_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    view_count: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Video:
        return cls(
            id=_id_string(data.get("id")),
            create_time=_optional_int(data, "create_time"),
            cover_image_url=_optional_str(data, "cover_image_url"),
            share_url=_optional_str(data, "share_url"),
            video_description=_optional_str(data, "video_description"),
            duration=_optional_int(data, "duration"),
            height=_optional_int(data, "height"),
            width=_optional_int(data, "width"),
            title=_optional_str(data, "title"),
            embed_html=_optional_str(data, "embed_html"),
            embed_link=_optional_str(data, "embed_link"),
            like_count=_optional_int(data, "like_count"),
            comment_count=_optional_int(data, "comment_count"),
            share_count=_optional_int(data, "share_count"),
            view_count=_optional_int(data, "view_count"),
        )


def videos_from_api(data: Mapping[str, Any]) -> tuple[Video, ...]:
    return tuple(Video.from_api(item) for item in _list(data, "videos"))


@dataclass(frozen=True, slots=True)
class VideoPage:
    """One page of video/list; ``cursor`` is in milliseconds, pass it back as is."""

    videos: tuple[Video, ...]
    cursor: int | None
    has_more: bool

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> VideoPage:
        return cls(
            videos=videos_from_api(data),
            cursor=_optional_int(data, "cursor"),
            has_more=bool(_optional_bool(data, "has_more")),
        )


@dataclass(frozen=True, slots=True)
class CreatorInfo:
    """What the creator may post right now; render exactly these options."""

    nickname: str
    username: str
    avatar_url: str
    privacy_level_options: tuple[str, ...]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: int | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CreatorInfo:
        options = _list(data, "privacy_level_options")
        if not all(isinstance(option, str) for option in options):
            raise ValueError("'privacy_level_options' should hold strings.")
        return cls(
            nickname=_optional_str(data, "creator_nickname") or "",
            username=_optional_str(data, "creator_username") or "",
            avatar_url=_optional_str(data, "creator_avatar_url") or "",
            privacy_level_options=tuple(options),
            comment_disabled=bool(_optional_bool(data, "comment_disabled")),
            duet_disabled=bool(_optional_bool(data, "duet_disabled")),
            stitch_disabled=bool(_optional_bool(data, "stitch_disabled")),
            max_video_post_duration_sec=_optional_int(
                data, "max_video_post_duration_sec"
            ),
        )


def _refuse_private_branded_content(
    privacy_level: str | None, brand_content_toggle: bool
) -> None:
    # A content-sharing-guidelines rule (§8.4); the API's own answer is unconfirmed,
    # so refuse it before it reaches TikTok.
    if brand_content_toggle and privacy_level == PrivacyLevel.SELF_ONLY:
        raise ValueError("Branded content visibility cannot be set to private.")


@dataclass(frozen=True, slots=True)
class VideoPostRequest:
    """The ``post_info`` of a Direct Post video; privacy has no default on purpose."""

    privacy_level: str
    title: str = ""
    disable_comment: bool = False
    disable_duet: bool = False
    disable_stitch: bool = False
    video_cover_timestamp_ms: int | None = None
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False
    is_aigc: bool = False

    def __post_init__(self) -> None:
        if not self.privacy_level:
            raise ValueError("privacy_level is required and has no default.")
        ensure_utf16_within(self.title, VIDEO_TITLE_MAX_UTF16, field_name="Video title")
        if self.video_cover_timestamp_ms is not None and (
            self.video_cover_timestamp_ms < 0
        ):
            raise ValueError("video_cover_timestamp_ms must not be negative.")
        _refuse_private_branded_content(self.privacy_level, self.brand_content_toggle)

    def as_post_info(self) -> JsonObject:
        post_info: JsonObject = {
            "privacy_level": str(self.privacy_level),
            "title": self.title,
            "disable_comment": self.disable_comment,
            "disable_duet": self.disable_duet,
            "disable_stitch": self.disable_stitch,
            "brand_content_toggle": self.brand_content_toggle,
            "brand_organic_toggle": self.brand_organic_toggle,
            "is_aigc": self.is_aigc,
        }
        if self.video_cover_timestamp_ms is not None:
            post_info["video_cover_timestamp_ms"] = self.video_cover_timestamp_ms
        return post_info


@dataclass(frozen=True, slots=True)
class FileUploadSource:
    """FILE_UPLOAD sizes; build it from ``chunks.plan_chunks(...).as_source()``."""

    video_size: int
    chunk_size: int
    total_chunk_count: int

    def as_source_info(self) -> JsonObject:
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.video_size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
        }


def _ensure_https(url: str, *, field_name: str) -> None:
    if urlsplit(url).scheme != "https":
        raise ValueError(f"{field_name} must be an https URL on a verified domain.")


@dataclass(frozen=True, slots=True)
class PullFromUrlSource:
    video_url: str

    def __post_init__(self) -> None:
        _ensure_https(self.video_url, field_name="video_url")

    def as_source_info(self) -> JsonObject:
        return {"source": "PULL_FROM_URL", "video_url": self.video_url}


VideoSource = FileUploadSource | PullFromUrlSource


@dataclass(frozen=True, slots=True)
class PhotoPostRequest:
    """A photo post (PULL_FROM_URL only); DIRECT_POST needs a privacy level."""

    post_mode: PostMode
    photo_images: tuple[str, ...]
    photo_cover_index: int = 0
    title: str = ""
    description: str = ""
    privacy_level: str | None = None
    disable_comment: bool = False
    auto_add_music: bool = False
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "post_mode", PostMode(self.post_mode))
        if not 1 <= len(self.photo_images) <= MAX_PHOTO_IMAGES:
            raise ValueError(
                f"A photo post needs 1 to {MAX_PHOTO_IMAGES} images, "
                f"not {len(self.photo_images)}."
            )
        for url in self.photo_images:
            _ensure_https(url, field_name="Each photo URL")
        if not 0 <= self.photo_cover_index < len(self.photo_images):
            raise ValueError("photo_cover_index must point at one of the images.")
        ensure_utf16_within(self.title, PHOTO_TITLE_MAX_UTF16, field_name="Photo title")
        ensure_utf16_within(
            self.description,
            PHOTO_DESCRIPTION_MAX_UTF16,
            field_name="Photo description",
        )
        if self.post_mode is PostMode.DIRECT_POST and not self.privacy_level:
            raise ValueError("A direct photo post needs a privacy_level.")
        _refuse_private_branded_content(self.privacy_level, self.brand_content_toggle)

    def as_json(self) -> JsonObject:
        post_info: JsonObject = {"title": self.title, "description": self.description}
        if self.post_mode is PostMode.DIRECT_POST:
            # These settings exist only for direct posts (§4.5).
            post_info |= {
                "privacy_level": str(self.privacy_level),
                "disable_comment": self.disable_comment,
                "auto_add_music": self.auto_add_music,
                "brand_content_toggle": self.brand_content_toggle,
                "brand_organic_toggle": self.brand_organic_toggle,
            }
        return {
            "media_type": "PHOTO",
            "post_mode": str(self.post_mode),
            "post_info": post_info,
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_images": list(self.photo_images),
                "photo_cover_index": self.photo_cover_index,
            },
        }


@dataclass(frozen=True, slots=True)
class PublishInit:
    """``upload_url`` is a one-hour credential: it is kept out of repr and logs."""

    publish_id: str
    upload_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_api(
        cls, data: Mapping[str, Any], *, expects_upload_url: bool
    ) -> PublishInit:
        upload_url = _optional_str(data, "upload_url")
        if expects_upload_url and not upload_url:
            raise ValueError("'upload_url' is missing for a FILE_UPLOAD init.")
        return cls(publish_id=_required_str(data, "publish_id"), upload_url=upload_url)


@dataclass(frozen=True, slots=True)
class ChunkUploadResult:
    """``uploaded_bytes`` comes from the response ``Content-Range: bytes 0-N/T``."""

    http_status: int
    uploaded_bytes: int | None
    total: int | None
    is_complete: bool


@dataclass(frozen=True, slots=True)
class PublishStatus:
    status: str
    fail_reason: str | None
    publicly_available_post_ids: tuple[str, ...]
    uploaded_bytes: int | None
    downloaded_bytes: int | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PublishStatus:
        # TikTok's field is misspelt "publicaly"; accept the correct spelling too.
        post_ids = _list(data, "publicaly_available_post_id") or _list(
            data, "publicly_available_post_id"
        )
        return cls(
            status=_required_str(data, "status"),
            fail_reason=_optional_str(data, "fail_reason") or None,
            publicly_available_post_ids=tuple(_id_string(item) for item in post_ids),
            uploaded_bytes=_optional_int(data, "uploaded_bytes"),
            downloaded_bytes=_optional_int(data, "downloaded_bytes"),
        )


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook. ``event`` is normalised; ``raw_event`` is as received."""

    client_key: str
    event: str
    raw_event: str
    create_time: int
    user_openid: str
    content: dict[str, Any] = field(hash=False)

    @property
    def publish_id(self) -> str | None:
        value = self.content.get("publish_id")
        return value if isinstance(value, str) else None

    @property
    def reason(self) -> str | int | None:
        """``post.publish.failed``: a fail_reason; ``authorization.removed``: int."""
        value = self.content.get("reason")
        return value if isinstance(value, str | int) else None
