"""TikTok's numbers and names, written once for the whole product.

Every limit, cap, chunk bound, text length, privacy level and endpoint that the
product relies on lives here, each with the section of ``docs/tiktok.md`` (the
project's copy of the TikTok reference) it comes from. Settings may override
the operational ones (rate limits, the daily cap); code reads the defaults from
here and nowhere else.

The built-in sandbox (``tiktok_sandbox``) keeps its own copy of these numbers
on purpose and never imports this module: a test compares the two, so a wrong
number in either is caught by the other.

Pure Python: no Django, no I/O.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Endpoint(StrEnum):
    """Every TikTok call the product makes, by a stable short name.

    The value is what ``PublishAttempt.endpoint`` stores and what rate limits key
    off; ``path`` is the URL path under the API host (§1, §3, §4).
    """

    OAUTH_TOKEN_EXCHANGE = "oauth_token_exchange"  # noqa: S105 (a name, not a secret)  # nosec B105
    OAUTH_TOKEN_REFRESH = "oauth_token_refresh"  # noqa: S105 (a name, not a secret)  # nosec B105
    OAUTH_REVOKE = "oauth_revoke"
    USER_INFO = "user_info"
    VIDEO_LIST = "video_list"
    VIDEO_QUERY = "video_query"
    CREATOR_INFO = "creator_info"
    VIDEO_INIT = "video_init"
    INBOX_VIDEO_INIT = "inbox_video_init"
    CONTENT_INIT = "content_init"
    UPLOAD_CHUNK = "upload_chunk"
    STATUS_FETCH = "status_fetch"
    CANCEL = "cancel"

    @property
    def path(self) -> str:
        """The URL path under ``TIKTOK_API_BASE_URL``; chunk PUTs go to TikTok's
        ``upload_url`` instead and have none (empty string)."""
        return ENDPOINT_PATHS[self]


ENDPOINT_PATHS: Final = MappingProxyType(
    {
        Endpoint.OAUTH_TOKEN_EXCHANGE: "/v2/oauth/token/",  # §1.4
        Endpoint.OAUTH_TOKEN_REFRESH: "/v2/oauth/token/",  # §1.5
        Endpoint.OAUTH_REVOKE: "/v2/oauth/revoke/",  # §1.7
        Endpoint.USER_INFO: "/v2/user/info/",  # §3.1
        Endpoint.VIDEO_LIST: "/v2/video/list/",  # §3.2
        Endpoint.VIDEO_QUERY: "/v2/video/query/",  # §3.3
        Endpoint.CREATOR_INFO: "/v2/post/publish/creator_info/query/",  # §4.2
        Endpoint.VIDEO_INIT: "/v2/post/publish/video/init/",  # §4.3
        Endpoint.INBOX_VIDEO_INIT: "/v2/post/publish/inbox/video/init/",  # §4.4
        Endpoint.CONTENT_INIT: "/v2/post/publish/content/init/",  # §4.5
        Endpoint.UPLOAD_CHUNK: "",  # §4.6: TikTok's upload_url
        Endpoint.STATUS_FETCH: "/v2/post/publish/status/fetch/",  # §4.8
        Endpoint.CANCEL: "/v2/post/publish/cancel/",  # §4.9
    }
)


#: TikTok's hosts (§0): the API, Login Kit's consent page, and the website whose
#: profile and video pages public post links point at. Settings default to these
#: outside sandbox mode.
API_BASE_URL: Final = "https://open.tiktokapis.com"
AUTHORIZE_URL: Final = "https://www.tiktok.com/v2/auth/authorize/"
WEB_URL: Final = "https://www.tiktok.com"


class RateLimit(StrEnum):
    """The windows the product counts calls in (§6). The three init endpoints
    share one at TikTok too. TikTok counts each Display API endpoint in its own
    window; the product counts the three together, which is stricter."""

    CREATOR_INFO = "creator_info"
    INIT = "init"
    STATUS_FETCH = "status_fetch"
    CANCEL = "cancel"
    DISPLAY = "display"


#: Which window each endpoint counts against; endpoints absent here are not
#: rate limited by TikTok as far as §6 says (OAuth, chunk PUTs).
RATE_LIMIT_OF_ENDPOINT: Final = MappingProxyType(
    {
        Endpoint.CREATOR_INFO: RateLimit.CREATOR_INFO,
        Endpoint.VIDEO_INIT: RateLimit.INIT,
        Endpoint.INBOX_VIDEO_INIT: RateLimit.INIT,
        Endpoint.CONTENT_INIT: RateLimit.INIT,
        Endpoint.STATUS_FETCH: RateLimit.STATUS_FETCH,
        Endpoint.CANCEL: RateLimit.CANCEL,
        Endpoint.USER_INFO: RateLimit.DISPLAY,
        Endpoint.VIDEO_LIST: RateLimit.DISPLAY,
        Endpoint.VIDEO_QUERY: RateLimit.DISPLAY,
    }
)

#: The length of TikTok's sliding rate-limit window, in seconds (§6).
RATE_LIMIT_WINDOW_SECONDS: Final = 60

#: Requests per one-minute sliding window (§4.2, §4.3 to §4.5, §4.8, §6). The
#: posting limits are per user access token; the Display API limit is per API
#: and may be per app (§6 leaves it open), so the product counts it app-wide.
#: The cancel endpoint has no published limit; status fetch's is used.
RATE_LIMIT_PER_MINUTE: Final = MappingProxyType(
    {
        RateLimit.CREATOR_INFO: 20,
        RateLimit.INIT: 6,
        RateLimit.STATUS_FETCH: 30,
        RateLimit.CANCEL: 30,
        RateLimit.DISPLAY: 600,
    }
)


class PrivacyLevel(StrEnum):
    """``privacy_level`` values (§4.2, §4.3). Only those in the creator's
    ``privacy_level_options`` may be sent."""

    PUBLIC_TO_EVERYONE = "PUBLIC_TO_EVERYONE"
    MUTUAL_FOLLOW_FRIENDS = "MUTUAL_FOLLOW_FRIENDS"
    FOLLOWER_OF_CREATOR = "FOLLOWER_OF_CREATOR"
    SELF_ONLY = "SELF_ONLY"


#: The caps below (and the unaudited and active-creator caps) count over any
#: 24 hours, a rolling window rather than a calendar day (§4.4, §6).
CAP_WINDOW_SECONDS: Final = 24 * 60 * 60
#: Posts per creator per rolling 24 hours, shared by every app (§6, §12).
DAILY_POST_CAP: Final = 15
#: Inbox (draft) shares a creator may have pending, counted over any 24 hours
#: (§4.4, §6); past it TikTok answers ``spam_risk_too_many_pending_share``.
PENDING_SHARE_CAP: Final = 5

#: Caption and title lengths in UTF-16 code units (§4.3, §4.5, §7).
VIDEO_TITLE_MAX_UTF16: Final = 2200
PHOTO_TITLE_MAX_UTF16: Final = 90
PHOTO_DESCRIPTION_MAX_UTF16: Final = 4000

#: Images in one photo post (§4.5, §7).
MAX_PHOTO_IMAGES: Final = 35
#: Video ids per ``video/query`` call and videos per ``video/list`` page (§3.2, §3.3).
MAX_VIDEOS_PER_REQUEST: Final = 20
#: How long a video's ``cover_image_url`` works after TikTok hands it out (§3.4).
COVER_URL_TTL_SECONDS: Final = 6 * 60 * 60

# Media transfer (§4.6). TikTok writes "MB" and "GB" without saying 10**6 or
# 2**20, so each bound sits on the safe side of both readings.
#: Smallest chunk (5 MiB, above 5,000,000 bytes); a whole file below it is one chunk.
MIN_CHUNK_BYTES: Final = 5 * 1024 * 1024
#: Largest chunk but the last (below 64 MiB); files above it must be split.
MAX_CHUNK_BYTES: Final = 64 * 1000 * 1000
#: The last chunk carries the remainder, up to 128,000,000 bytes (below 128 MiB).
MAX_FINAL_CHUNK_BYTES: Final = 128 * 1000 * 1000
#: At most this many chunks per upload.
MAX_CHUNK_COUNT: Final = 1000
#: How long an init's ``upload_url`` accepts chunks (§4.3, §6).
UPLOAD_URL_LIFETIME_SECONDS: Final = 60 * 60
#: Largest video, "4 GB" read strictly as 4 * 10**9 bytes (§4.6, §7).
MAX_VIDEO_BYTES: Final = 4_000_000_000
#: ``Content-Type`` values a chunk PUT may carry (§4.6).
UPLOAD_CONTENT_TYPES: Final = frozenset({"video/mp4", "video/quicktime", "video/webm"})
