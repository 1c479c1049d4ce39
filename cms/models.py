from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from workspaces.models import Workspace, validate_time_zone


class Post(models.Model):
    """The editorial item: a caption and media, published to one or more accounts.

    The schedule is kept as staff typed it: a wall time (``scheduled_date`` +
    ``scheduled_time``, naive, so ``USE_TZ`` never converts it) in
    ``time_zone``, with ``scheduled_fold`` choosing the occurrence of a repeated
    hour. ``scheduled_at`` (aware UTC) is derived from them by
    ``cms.scheduling.local_to_utc`` and nowhere else, so 10:00 Europe/Rome stays
    10:00 across a clock change. Each account's copy is a
    ``tiktok_integration.PublishJob`` whose dispatch time follows this one.
    """

    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name="workspace",
        help_text="The brand or client this post belongs to.",
    )
    title = models.CharField(
        "internal title",
        max_length=200,
        help_text="For the team only; TikTok never sees it.",
    )
    caption = models.TextField(
        "caption",
        blank=True,
        help_text="Sent to TikTok as the post's text (at most 2,200 UTF-16 units).",
    )
    media = models.ManyToManyField(
        "media_library.MediaAsset",
        through="PostMedia",
        related_name="posts",
        blank=True,
        verbose_name="media",
        help_text="One video, or up to 35 photos in order.",
    )
    scheduled_date = models.DateField(
        "date",
        null=True,
        blank=True,
        help_text="The day on the clocks of the post's time zone. Empty for a draft.",
    )
    scheduled_time = models.TimeField(
        "time",
        null=True,
        blank=True,
        help_text="The time on the clocks of the post's time zone, as typed.",
    )
    scheduled_fold = models.PositiveSmallIntegerField(
        "occurrence",
        default=0,
        choices=[(0, "First"), (1, "Second")],
        help_text="When the clocks go back and the time happens twice: which one.",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA name the time was typed in; empty means the workspace's.",
    )
    scheduled_at = models.DateTimeField(
        "goes out at (UTC)",
        null=True,
        blank=True,
        editable=False,
        help_text="Derived from the date, time and time zone by "
        "cms.scheduling.local_to_utc; drives the post's publish jobs.",
    )
    external_id = models.CharField(
        "external id",
        max_length=120,
        blank=True,
        help_text="Key used by import_posts so re-runs update instead of duplicating.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="created by",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "post"
        ordering = ["-scheduled_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="post_external_id_unique_per_workspace",
            )
        ]
        indexes = [models.Index(fields=["workspace", "scheduled_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def scheduled_wall_time(self) -> datetime | None:
        """The naive wall time typed (date + time), or None for a draft."""
        if self.scheduled_date is None or self.scheduled_time is None:
            return None
        return datetime.combine(self.scheduled_date, self.scheduled_time)


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_media")
    asset = models.ForeignKey(
        "media_library.MediaAsset", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order of photos; 0 comes first."
    )

    class Meta:
        verbose_name = "post media"
        verbose_name_plural = "post media"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "position"], name="post_media_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(position__lt=35), name="post_media_at_most_35"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} #{self.position}"
