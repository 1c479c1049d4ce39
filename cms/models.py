from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not an IANA time zone; use a name such as "
            "'Europe/Berlin' or 'America/New_York'."
        )


class Workspace(models.Model):
    """A brand or client: its accounts, media and posts are seen only by its members."""

    name = models.CharField("name", max_length=120, help_text="Shown to staff.")
    slug = models.SlugField("slug", unique=True, help_text="Short unique identifier.")
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name; schedules and the calendar are shown in this zone.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="WorkspaceMembership",
        related_name="workspaces",
        verbose_name="members",
        help_text="Staff who can see and change this workspace's content.",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        verbose_name = "workspace"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkspaceMembership(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        EDITOR = "editor", "Editor"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        "role",
        max_length=20,
        choices=Role.choices,
        default=Role.EDITOR,
        help_text="Managers also receive account and failure notices by email.",
    )
    created_at = models.DateTimeField("joined at", auto_now_add=True)

    class Meta:
        verbose_name = "workspace membership"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="workspace_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace}"


class Post(models.Model):
    """The editorial item: a caption and media, published to one or more accounts.

    ``scheduled_at`` is when the team wants it out; each account's copy is a
    ``tiktok_integration.PublishJob`` with its own dispatch time and state.
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
    scheduled_at = models.DateTimeField(
        "scheduled for",
        null=True,
        blank=True,
        help_text="When the post should go out. Empty for a draft.",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The zone the schedule was entered in.",
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
