"""A pure HTTP client for TikTok's APIs: values in, frozen dataclasses out.

It knows nothing about Django; callers pass base URLs, keys and tokens in.
TikTok's numbers (limits, caps, text lengths, endpoint paths) live in
``tiktok_integration.client.facts``; import them from there.
"""

from .api import TikTokClient
from .chunks import ChunkPlan, content_range, plan_chunks
from .display_types import UserInfo, Video, VideoPage
from .errors import (
    ERROR_CLASS_BY_CODE,
    RETRYABLE_FAIL_REASONS,
    TikTokAccountBlockedError,
    TikTokAmbiguousError,
    TikTokError,
    TikTokQuotaError,
    TikTokRangeMismatchError,
    TikTokRateLimitedError,
    TikTokReauthError,
    TikTokRejectedError,
    TikTokScopeError,
    TikTokTransientError,
    describe_fail_reason,
)
from .facts import Endpoint, PrivacyLevel, RateLimit
from .http import CallRecord, build_session
from .oauth import TikTokOAuthClient
from .oauth_types import CallbackParams, PkcePair, TokenGrant
from .posting_types import (
    ChunkUploadResult,
    CreatorInfo,
    FileUploadSource,
    PhotoPostRequest,
    PostMode,
    PublishInit,
    PublishState,
    PublishStatus,
    PullFromUrlSource,
    VideoPostRequest,
    VideoSource,
)
from .streaming import FileRangeReader, TruncatedSourceError
from .text import utf16_length
from .webhooks import (
    AUTHORIZATION_REMOVED,
    INBOX_DELIVERED,
    NO_LONGER_PUBLICLY_AVAILABLE,
    PUBLICLY_AVAILABLE,
    PUBLISH_COMPLETE,
    PUBLISH_FAILED,
    WebhookEvent,
    WebhookPayloadError,
    WebhookSignatureError,
    parse_event,
    sign,
    verify_signature,
)

__all__ = [
    "AUTHORIZATION_REMOVED",
    "ERROR_CLASS_BY_CODE",
    "INBOX_DELIVERED",
    "NO_LONGER_PUBLICLY_AVAILABLE",
    "PUBLICLY_AVAILABLE",
    "PUBLISH_COMPLETE",
    "PUBLISH_FAILED",
    "RETRYABLE_FAIL_REASONS",
    "CallRecord",
    "CallbackParams",
    "ChunkPlan",
    "ChunkUploadResult",
    "CreatorInfo",
    "Endpoint",
    "FileRangeReader",
    "FileUploadSource",
    "PhotoPostRequest",
    "PkcePair",
    "PostMode",
    "PrivacyLevel",
    "PublishInit",
    "PublishState",
    "PublishStatus",
    "PullFromUrlSource",
    "RateLimit",
    "TikTokAccountBlockedError",
    "TikTokAmbiguousError",
    "TikTokClient",
    "TikTokError",
    "TikTokOAuthClient",
    "TikTokQuotaError",
    "TikTokRangeMismatchError",
    "TikTokRateLimitedError",
    "TikTokReauthError",
    "TikTokRejectedError",
    "TikTokScopeError",
    "TikTokTransientError",
    "TokenGrant",
    "TruncatedSourceError",
    "UserInfo",
    "Video",
    "VideoPage",
    "VideoPostRequest",
    "VideoSource",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "build_session",
    "content_range",
    "describe_fail_reason",
    "parse_event",
    "plan_chunks",
    "sign",
    "utf16_length",
    "verify_signature",
]
