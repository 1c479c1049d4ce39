"""Analytics: the account's public videos, their metrics over time, and the
account's profile counts over time (docs/tiktok.md §3).

Snapshots are append-only rows keyed by (video, taken_at) so a chart reads one
index range; old ones are thinned to one a day by ``analytics.thinning``.
"""

from __future__ import annotations

from django.db import models


class TikTokVideo(models.Model):
    """A public video on a connected account, as video/list or video/query
    last described it (§3.2 to §3.4), linked to the publish job that made it
    when known."""

    class LinkMethod(models.TextChoices):
        POST_ID = "post_id", "TikTok's post id"
        MATCHED = "matched", "Matched by time and caption"

    #: Admin scoping: the workspace is the account's.
    WORKSPACE_PATH = "account__workspace"

    account = models.ForeignKey(
        "tiktok_integration.TikTokAccount",
        on_delete=models.CASCADE,
        related_name="videos",
        verbose_name="account",
    )
    video_id = models.CharField(
        "video id", max_length=32, help_text="TikTok's item id (19 digits, a string)."
    )
    publish_job = models.ForeignKey(
        "tiktok_integration.PublishJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="videos",
        verbose_name="publish job",
        help_text="The Postdeck job that made this post, when linked.",
    )
    link_method = models.CharField(
        "linked by",
        max_length=20,
        choices=LinkMethod.choices,
        blank=True,
        help_text="How the video was tied to its publish job.",
    )
    link_confidence = models.FloatField(
        "link confidence",
        null=True,
        blank=True,
        help_text="1.0 for TikTok's post id; the match score (0 to 1) otherwise.",
    )
    created_on_tiktok_at = models.DateTimeField(
        "posted at", help_text="create_time: when the post went up on TikTok."
    )
    title = models.CharField("title", max_length=300, blank=True)
    description = models.TextField("description", blank=True)
    share_url = models.URLField("share URL", max_length=1000, blank=True)
    duration_seconds = models.PositiveIntegerField("duration (s)", default=0)
    cover_image_url = models.URLField(
        "cover image URL",
        max_length=2000,
        blank=True,
        help_text="TikTok's CDN link; it stops working about 6 hours after fetch.",
    )
    cover_fetched_at = models.DateTimeField(
        "cover fetched at", null=True, blank=True, help_text="When TikTok gave it."
    )
    is_tracked = models.BooleanField(
        "tracked",
        default=True,
        help_text="Synced on the sampling schedule; off to stop collecting metrics.",
    )
    latest_view_count = models.PositiveBigIntegerField("views", default=0)
    latest_like_count = models.PositiveBigIntegerField("likes", default=0)
    latest_comment_count = models.PositiveBigIntegerField("comments", default=0)
    latest_share_count = models.PositiveBigIntegerField("shares", default=0)
    last_sampled_at = models.DateTimeField(
        "last sampled at",
        null=True,
        blank=True,
        help_text="When the latest snapshot was stored.",
    )
    first_seen_at = models.DateTimeField("first seen at", auto_now_add=True)

    class Meta:
        verbose_name = "TikTok video"
        ordering = ["-created_on_tiktok_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "video_id"], name="tiktok_video_one_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["account", "-created_on_tiktok_at"]),
            models.Index(fields=["created_on_tiktok_at"]),
        ]

    def __str__(self) -> str:
        return self.title[:60] or self.video_id


class VideoSnapshot(models.Model):
    """A video's counts at one moment; a series of these is its curve."""

    video = models.ForeignKey(
        TikTokVideo,
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name="video",
    )
    taken_at = models.DateTimeField("taken at")
    view_count = models.PositiveBigIntegerField("views")
    like_count = models.PositiveBigIntegerField("likes")
    comment_count = models.PositiveBigIntegerField("comments")
    share_count = models.PositiveBigIntegerField("shares")

    class Meta:
        verbose_name = "video snapshot"
        ordering = ["video", "taken_at"]
        indexes = [
            models.Index(fields=["video", "taken_at"], name="video_snapshot_series"),
            models.Index(fields=["taken_at"], name="video_snapshot_taken_at"),
        ]

    def __str__(self) -> str:
        return f"{self.video_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


class AccountSnapshot(models.Model):
    """An account's profile counts at one moment (§3.1, user.info.stats)."""

    account = models.ForeignKey(
        "tiktok_integration.TikTokAccount",
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name="account",
    )
    taken_at = models.DateTimeField("taken at")
    follower_count = models.PositiveBigIntegerField("followers")
    following_count = models.PositiveBigIntegerField("following")
    likes_count = models.PositiveBigIntegerField("likes")
    video_count = models.PositiveBigIntegerField("videos")

    class Meta:
        verbose_name = "account snapshot"
        ordering = ["account", "taken_at"]
        indexes = [
            models.Index(fields=["account", "taken_at"], name="account_snapshot_series")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


class AnalyticsSyncState(models.Model):
    """Where an account's last analytics sync got to, and why it was skipped."""

    account = models.OneToOneField(
        "tiktok_integration.TikTokAccount",
        on_delete=models.CASCADE,
        related_name="analytics_state",
        verbose_name="account",
    )
    last_synced_at = models.DateTimeField("last synced at", null=True, blank=True)
    last_api_calls = models.PositiveIntegerField(
        "API calls in the last sync", default=0
    )
    skipped_reason = models.CharField(
        "skipped because",
        max_length=300,
        blank=True,
        help_text="Empty when the last sync ran; otherwise why it could not.",
    )

    class Meta:
        verbose_name = "analytics sync state"

    def __str__(self) -> str:
        return f"sync of {self.account_id}"
