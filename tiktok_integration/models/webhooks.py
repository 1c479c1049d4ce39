"""WebhookEvent: a webhook TikTok delivered, stored once and applied once."""

from __future__ import annotations

from django.db import models


class WebhookEvent(models.Model):
    """A webhook TikTok delivered, stored once however often it is retried."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting to be applied"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Nothing to do"

    dedup_key = models.CharField(
        "deduplication key",
        max_length=64,
        unique=True,
        help_text="SHA-256 of event, user, time and body: one row per event.",
    )
    event = models.CharField("event", max_length=80, help_text="Normalised name.")
    user_openid = models.CharField("user open id", max_length=128, blank=True)
    create_time = models.DateTimeField("sent at", help_text="TikTok's create_time.")
    content = models.JSONField("content", default=dict, blank=True)
    outcome = models.CharField(
        "outcome", max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.CharField("note", max_length=300, blank=True)
    received_at = models.DateTimeField("received at", auto_now_add=True)
    applied_at = models.DateTimeField("applied at", null=True, blank=True)

    class Meta:
        verbose_name = "webhook event"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event} for {self.user_openid or 'app'}"
