"""State the gateway (tiktok_integration/gateway/) shares between workers:
RateLimitSlot rows of the sliding-window rate limits and one CircuitBreaker per
TikTok host group."""

from __future__ import annotations

from django.db import models


class RateLimitSlot(models.Model):
    """One call counted against a sliding one-minute window, shared by all workers.

    ``bucket`` names the limit (e.g. ``init:account:42`` or ``display``). A row
    dated in the future blocks the bucket until then (after a 429).
    """

    bucket = models.CharField("bucket", max_length=80)
    taken_at = models.DateTimeField("taken at")

    class Meta:
        verbose_name = "rate limit slot"
        indexes = [models.Index(fields=["bucket", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.taken_at:%H:%M:%S}"


class CircuitBreaker(models.Model):
    """Shared state of one circuit breaker (a TikTok host group)."""

    name = models.CharField("name", max_length=40, unique=True)
    consecutive_failures = models.PositiveIntegerField(
        "consecutive failures", default=0
    )
    open_until = models.DateTimeField(
        "open until",
        null=True,
        blank=True,
        help_text="While in the future, no call is made; then one probe is let "
        "through.",
    )
    opened_at = models.DateTimeField("last opened at", null=True, blank=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "circuit breaker"

    def __str__(self) -> str:
        return self.name
