"""Values of TikTok's Content Posting API: what a creator may post (creator
info), video and photo post requests with their sources, the init answer, a
chunk's upload result and a publish's status.

Requests check TikTok's rules when built and raise ValueError; ``from_api`` raises
ValueError when TikTok's payload lacks a field we rely on or has the wrong type,
and the calling client turns that into a TikTokError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .facts import (
    MAX_PHOTO_IMAGES,
    PHOTO_DESCRIPTION_MAX_UTF16,
    PHOTO_TITLE_MAX_UTF16,
    VIDEO_TITLE_MAX_UTF16,
    PrivacyLevel,
)
from .payload import (
    JsonObject,
    id_string,
    list_or_empty,
    optional_bool,
    optional_int,
    optional_str,
    required_str,
)
from .text import ensure_utf16_within


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
        options = list_or_empty(data, "privacy_level_options")
        if not all(isinstance(option, str) for option in options):
            raise ValueError("'privacy_level_options' should hold strings.")
        return cls(
            nickname=optional_str(data, "creator_nickname") or "",
            username=optional_str(data, "creator_username") or "",
            avatar_url=optional_str(data, "creator_avatar_url") or "",
            privacy_level_options=tuple(options),
            comment_disabled=bool(optional_bool(data, "comment_disabled")),
            duet_disabled=bool(optional_bool(data, "duet_disabled")),
            stitch_disabled=bool(optional_bool(data, "stitch_disabled")),
            max_video_post_duration_sec=optional_int(
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


#: Hosts only a local sandbox can be on: TikTok itself cannot reach them, so
#: plain http there is the built-in sandbox's, never a production pull.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _ensure_https(url: str, *, field_name: str) -> None:
    """TikTok pulls only https (§4.7); http is let through for loopback hosts,
    where only the local sandbox can be listening."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS:
        return
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
        upload_url = optional_str(data, "upload_url")
        if expects_upload_url and not upload_url:
            raise ValueError("'upload_url' is missing for a FILE_UPLOAD init.")
        return cls(publish_id=required_str(data, "publish_id"), upload_url=upload_url)


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
        post_ids = list_or_empty(data, "publicaly_available_post_id") or list_or_empty(
            data, "publicly_available_post_id"
        )
        return cls(
            status=required_str(data, "status"),
            fail_reason=optional_str(data, "fail_reason") or None,
            publicly_available_post_ids=tuple(id_string(item) for item in post_ids),
            uploaded_bytes=optional_int(data, "uploaded_bytes"),
            downloaded_bytes=optional_int(data, "downloaded_bytes"),
        )
