"""The app's models, one module per subject; Django loads them from here.

accounts.py: TikTokAccount. jobs.py: PublishJob, PublishAttempt.
webhooks.py: WebhookEvent. gateway.py: RateLimitSlot, CircuitBreaker.
verification.py: UrlVerificationFile. calendar.py: PostMove.
queues.py: PostingQueue, QueueSlot.
analytics.py: TikTokVideo, VideoSnapshot, AccountSnapshot, AnalyticsSyncState.
"""

from .accounts import TikTokAccount
from .analytics import (
    AccountSnapshot,
    AnalyticsSyncState,
    TikTokVideo,
    VideoSnapshot,
)
from .calendar import PostMove
from .gateway import CircuitBreaker, RateLimitSlot
from .jobs import PublishAttempt, PublishJob
from .queues import PostingQueue, QueueSlot
from .verification import UrlVerificationFile
from .webhooks import WebhookEvent

__all__ = [
    "AccountSnapshot",
    "AnalyticsSyncState",
    "CircuitBreaker",
    "PostMove",
    "PostingQueue",
    "PublishAttempt",
    "PublishJob",
    "QueueSlot",
    "RateLimitSlot",
    "TikTokAccount",
    "TikTokVideo",
    "UrlVerificationFile",
    "VideoSnapshot",
    "WebhookEvent",
]
