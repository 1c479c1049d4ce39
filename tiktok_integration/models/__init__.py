"""The app's models, one module per subject; Django loads them from here.

accounts.py: TikTokAccount. jobs.py: PublishJob, PublishAttempt.
webhooks.py: WebhookEvent. gateway.py: RateLimitSlot, CircuitBreaker.
"""

from .accounts import TikTokAccount
from .gateway import CircuitBreaker, RateLimitSlot
from .jobs import PublishAttempt, PublishJob
from .webhooks import WebhookEvent

__all__ = [
    "CircuitBreaker",
    "PublishAttempt",
    "PublishJob",
    "RateLimitSlot",
    "TikTokAccount",
    "WebhookEvent",
]
