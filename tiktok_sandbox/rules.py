"""TikTok's rules as the sandbox enforces them: pure functions, no database.

Everything here restates docs/tiktok.md. Where TikTok's text leaves a number
open ("5 MB" as 10**6 or 2**20 bytes, "4 GB"), the sandbox takes the stricter
reading, so a client that passes here passes at TikTok under either reading.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

# --- Scopes (docs/tiktok.md §2) --------------------------------------------------

USER_INFO_BASIC: Final = "user.info.basic"
USER_INFO_PROFILE: Final = "user.info.profile"
USER_INFO_STATS: Final = "user.info.stats"
VIDEO_LIST: Final = "video.list"
VIDEO_UPLOAD: Final = "video.upload"
VIDEO_PUBLISH: Final = "video.publish"

SCOPE_DESCRIPTIONS: Final[Mapping[str, str]] = {
    USER_INFO_BASIC: "Read your profile info (avatar, display name)",
    USER_INFO_PROFILE: "Read your profile details (bio, verified badge, username)",
    USER_INFO_STATS: "Read your stats (followers, following, likes, video count)",
    VIDEO_LIST: "Read your public videos",
    VIDEO_UPLOAD: "Share content to your TikTok inbox as drafts",
    VIDEO_PUBLISH: "Post content directly to your TikTok profile",
}
KNOWN_SCOPES: Final = frozenset(SCOPE_DESCRIPTIONS)
# Login Kit adds user.info.basic to every grant; the user cannot untick it.
ALWAYS_GRANTED_SCOPES: Final = frozenset({USER_INFO_BASIC})

# --- Display API fields (docs/tiktok.md §3.1, §3.4) ------------------------------

USER_FIELD_SCOPES: Final[Mapping[str, str]] = {
    "open_id": USER_INFO_BASIC,
    "union_id": USER_INFO_BASIC,
    "avatar_url": USER_INFO_BASIC,
    "avatar_url_100": USER_INFO_BASIC,
    "avatar_large_url": USER_INFO_BASIC,
    "display_name": USER_INFO_BASIC,
    "bio_description": USER_INFO_PROFILE,
    "profile_deep_link": USER_INFO_PROFILE,
    "is_verified": USER_INFO_PROFILE,
    "username": USER_INFO_PROFILE,
    "follower_count": USER_INFO_STATS,
    "following_count": USER_INFO_STATS,
    "likes_count": USER_INFO_STATS,
    "video_count": USER_INFO_STATS,
}
VIDEO_FIELDS: Final = frozenset(
    {
        "id",
        "create_time",
        "cover_image_url",
        "share_url",
        "video_description",
        "duration",
        "height",
        "width",
        "title",
        "embed_html",
        "embed_link",
        "like_count",
        "comment_count",
        "share_count",
        "view_count",
    }
)
VIDEO_LIST_DEFAULT_COUNT: Final = 10
MAX_VIDEOS_PER_REQUEST: Final = 20
#: A cover_image_url stops working this long after it is handed out (§3.4).
COVER_URL_TTL_SECONDS: Final = 6 * 60 * 60

# --- Privacy (docs/tiktok.md §4.2, §4.3) -----------------------------------------

PUBLIC_TO_EVERYONE: Final = "PUBLIC_TO_EVERYONE"
MUTUAL_FOLLOW_FRIENDS: Final = "MUTUAL_FOLLOW_FRIENDS"
FOLLOWER_OF_CREATOR: Final = "FOLLOWER_OF_CREATOR"
SELF_ONLY: Final = "SELF_ONLY"
PRIVACY_LEVELS: Final = (
    PUBLIC_TO_EVERYONE,
    MUTUAL_FOLLOW_FRIENDS,
    FOLLOWER_OF_CREATOR,
    SELF_ONLY,
)
PUBLIC_ACCOUNT_OPTIONS: Final = (PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY)
PRIVATE_ACCOUNT_OPTIONS: Final = (FOLLOWER_OF_CREATOR, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY)


def privacy_level_options(
    *, is_private_account: bool, is_audited: bool, override: Sequence[str]
) -> list[str]:
    """What creator_info offers: the account type's list, narrowed to SELF_ONLY
    for an unaudited client, or the creator's configured override."""
    if not is_audited:
        return [SELF_ONLY]
    if override:
        return [level for level in PRIVACY_LEVELS if level in override]
    return list(
        PRIVATE_ACCOUNT_OPTIONS if is_private_account else PUBLIC_ACCOUNT_OPTIONS
    )


# --- Posting caps (docs/tiktok.md §4.4, §6, §8) ----------------------------------

# Every cap counts over any 24 h, a rolling window.
CAP_WINDOW_SECONDS: Final = 86_400
# Direct posts per creator in any 24 h, shared by every app ("about 15"); each
# sandbox creator may override it (SandboxCreator.daily_post_cap).
DAILY_POST_CAP: Final = 15
# Inbox shares still pending, counted over any 24 h.
PENDING_SHARE_CAP: Final = 5
# Creators an unaudited client may post for in any 24 h.
UNAUDITED_ACTIVE_USER_CAP: Final = 5

# --- Text limits (docs/tiktok.md §7) ---------------------------------------------

VIDEO_TITLE_MAX: Final = 2200
PHOTO_TITLE_MAX: Final = 90
PHOTO_DESCRIPTION_MAX: Final = 4000
MAX_PHOTO_IMAGES: Final = 35


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, TikTok's "runes": an emoji counts 2."""
    return len(text.encode("utf-16-le")) // 2


# --- Chunk plan (docs/tiktok.md §4.6) --------------------------------------------

# "5 MB" read as 5 MiB and "64 MB" / "128 MB" as 10**6-based: the strict side
# of both readings. "4 GB" read as 4 * 10**9 bytes for the same reason.
MIN_CHUNK_BYTES: Final = 5 * 1024 * 1024
MAX_CHUNK_BYTES: Final = 64_000_000
MAX_FINAL_CHUNK_BYTES: Final = 128_000_000
MAX_CHUNK_COUNT: Final = 1000
MAX_VIDEO_BYTES: Final = 4_000_000_000
# An init's upload_url takes chunks for one hour (docs/tiktok.md §4.3, §6).
UPLOAD_URL_LIFETIME_SECONDS: Final = 3600


def chunk_plan_problem(
    *, video_size: int, chunk_size: int, total_chunk_count: int
) -> str | None:
    """Why a declared FILE_UPLOAD plan breaks TikTok's rules, or None if it holds."""
    if video_size <= 0 or chunk_size <= 0 or total_chunk_count <= 0:
        return "video_size, chunk_size and total_chunk_count must be positive."
    if video_size > MAX_VIDEO_BYTES:
        return f"video_size is above the {MAX_VIDEO_BYTES:,}-byte limit."
    if total_chunk_count != video_size // chunk_size:
        return "total_chunk_count must equal floor(video_size / chunk_size)."
    if total_chunk_count > MAX_CHUNK_COUNT:
        return f"total_chunk_count must be at most {MAX_CHUNK_COUNT}."
    if total_chunk_count == 1 and chunk_size == video_size:
        if video_size > MAX_CHUNK_BYTES:
            return "A video over 64 MB must be uploaded in several chunks."
        return None
    if chunk_size < MIN_CHUNK_BYTES:
        return "chunk_size must be at least 5 MB (a video under 5 MB is one chunk)."
    if chunk_size > MAX_CHUNK_BYTES:
        return "chunk_size must be at most 64 MB."
    if video_size > MAX_CHUNK_BYTES and total_chunk_count == 1:
        return "A video over 64 MB must be uploaded in several chunks."
    final_chunk = video_size - (total_chunk_count - 1) * chunk_size
    if final_chunk > MAX_FINAL_CHUNK_BYTES:
        return "The final chunk must be at most 128 MB."
    return None


def expected_chunk_end(
    *, received: int, video_size: int, chunk_size: int, total_chunk_count: int
) -> int:
    """The inclusive last byte of the chunk that must start at ``received``."""
    index = received // chunk_size
    if index >= total_chunk_count - 1:
        return video_size - 1
    return received + chunk_size - 1


_CONTENT_RANGE: Final = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


@dataclass(frozen=True, slots=True)
class ContentRange:
    first: int
    last: int
    total: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def parse_content_range(value: str | None) -> ContentRange | None:
    """``bytes first-last/total`` with ``first <= last < total``, else None."""
    match = _CONTENT_RANGE.match((value or "").strip())
    if match is None:
        return None
    first, last, total = (int(group) for group in match.groups())
    if not first <= last < total:
        return None
    return ContentRange(first, last, total)


UPLOAD_CONTENT_TYPES: Final = frozenset({"video/mp4", "video/quicktime", "video/webm"})

# --- URL ownership (docs/tiktok.md §10) ------------------------------------------


def url_is_verified(url: str, verified: Sequence[str]) -> bool:
    """Whether ``url`` is covered by a verified property.

    An entry with a scheme is a URL-prefix property and covers exactly the URLs
    starting with it. An entry without one is a domain property and covers https
    URLs on that host and its subdomains.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for entry in verified:
        entry = entry.strip()
        if not entry:
            continue
        if "://" in entry:
            if url.startswith(entry):
                return True
            continue
        domain = entry.lower().strip("/")
        if parts.scheme == "https" and (host == domain or host.endswith("." + domain)):
            return True
    return False


# --- PKCE (docs/tiktok.md §1.2) --------------------------------------------------

_VERIFIER: Final = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def pkce_verifier_matches(*, verifier: str, challenge: str) -> bool:
    """TikTok's challenge is the lowercase hex SHA-256 of the verifier."""
    if not _VERIFIER.match(verifier):
        return False
    expected = hashlib.sha256(verifier.encode("ascii")).hexdigest()
    return hmac.compare_digest(expected.encode(), challenge.lower().encode())


# --- Rate limits (docs/tiktok.md §6) ---------------------------------------------

RATE_WINDOW_SECONDS: Final = 60


@dataclass(frozen=True, slots=True)
class RateLimit:
    name: str
    limit: int
    endpoints: frozenset[str]


# Endpoint names match SandboxCall.Endpoint values.
RATE_LIMITS: Final[Mapping[str, RateLimit]] = {
    "creator_info": RateLimit("creator_info", 20, frozenset({"creator_info"})),
    "init": RateLimit(
        "init", 6, frozenset({"video_init", "inbox_video_init", "content_init"})
    ),
    "status_fetch": RateLimit("status_fetch", 30, frozenset({"status_fetch"})),
    "user_info": RateLimit("user_info", 600, frozenset({"user_info"})),
    "video_list": RateLimit("video_list", 600, frozenset({"video_list"})),
    "video_query": RateLimit("video_query", 600, frozenset({"video_query"})),
}
