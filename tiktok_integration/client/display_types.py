"""Values of TikTok's Display API: the user's profile (user/info) and public
videos (video/list, video/query).

``from_api`` raises ValueError when TikTok's payload lacks a field we rely on or
has the wrong type; the calling client turns that into a TikTokError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .payload import (
    id_string,
    list_or_empty,
    object_or_empty,
    optional_bool,
    optional_int,
    optional_str,
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
        user = object_or_empty(data, "user")
        return cls(
            open_id=optional_str(user, "open_id"),
            union_id=optional_str(user, "union_id"),
            avatar_url=optional_str(user, "avatar_url"),
            avatar_url_100=optional_str(user, "avatar_url_100"),
            avatar_large_url=optional_str(user, "avatar_large_url"),
            display_name=optional_str(user, "display_name"),
            bio_description=optional_str(user, "bio_description"),
            profile_deep_link=optional_str(user, "profile_deep_link"),
            is_verified=optional_bool(user, "is_verified"),
            username=optional_str(user, "username"),
            follower_count=optional_int(user, "follower_count"),
            following_count=optional_int(user, "following_count"),
            likes_count=optional_int(user, "likes_count"),
            video_count=optional_int(user, "video_count"),
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
            id=id_string(data.get("id")),
            create_time=optional_int(data, "create_time"),
            cover_image_url=optional_str(data, "cover_image_url"),
            share_url=optional_str(data, "share_url"),
            video_description=optional_str(data, "video_description"),
            duration=optional_int(data, "duration"),
            height=optional_int(data, "height"),
            width=optional_int(data, "width"),
            title=optional_str(data, "title"),
            embed_html=optional_str(data, "embed_html"),
            embed_link=optional_str(data, "embed_link"),
            like_count=optional_int(data, "like_count"),
            comment_count=optional_int(data, "comment_count"),
            share_count=optional_int(data, "share_count"),
            view_count=optional_int(data, "view_count"),
        )


def videos_from_api(data: Mapping[str, Any]) -> tuple[Video, ...]:
    return tuple(Video.from_api(item) for item in list_or_empty(data, "videos"))


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
            cursor=optional_int(data, "cursor"),
            has_more=bool(optional_bool(data, "has_more")),
        )
