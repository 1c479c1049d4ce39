"""The gateway's own error: not now, ask again later."""

from __future__ import annotations


class ComeBackLaterError(Exception):
    """Nothing was sent to TikTok, or TikTok asked us to slow down: ask again in
    ``delay`` seconds (float). ``reason`` is a sentence for staff and logs.

    Raised for a full rate-limit window (docs/tiktok.md §6), a 429 from TikTok
    (§5.1 ``rate_limit_exceeded``) and an open circuit breaker.
    """

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay
        self.reason = reason
