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

    class EditorialState(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"

    class ReviewStage(models.TextChoices):
        NONE = "", "None"
        INTERNAL = "internal", "Internal review"
        CLIENT = "client", "Client review"

    editorial_state = models.CharField(
        "editorial state",
        max_length=20,
        choices=EditorialState.choices,
        default=EditorialState.DRAFT,
        editable=False,
        help_text="Written only by cms.review.transitions; where the workspace "
        "asks for approval, only a Scheduled post is ever published.",
    )
    review_stage = models.CharField(
        "review stage",
        max_length=10,
        choices=ReviewStage.choices,
        default=ReviewStage.NONE,
        blank=True,
        editable=False,
        help_text="Whose approval an In review post waits for.",
    )
    review_reminded_at = models.DateTimeField(
        "review reminder sent at",
        null=True,
        blank=True,
        editable=False,
        help_text="Reviewers are reminded once per review round.",
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
        indexes = [
            models.Index(fields=["workspace", "scheduled_at"]),
            models.Index(
                fields=["workspace", "editorial_state"], name="post_editorial_state"
            ),
        ]

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


class LegalPage(models.Model):
    """The installation's Terms of Service or Privacy Policy (TikTok's portal asks
    for both URLs, docs/tiktok.md §10), served publicly at ``/legal/<kind>/``.

    ``body`` is HTML, cleaned by ``cms.legal.sanitise`` when saved and again when
    shown; every save also writes a ``LegalPageVersion``.
    """

    class Kind(models.TextChoices):
        TERMS = "terms", "Terms of Service"
        PRIVACY = "privacy", "Privacy Policy"

    kind = models.CharField("page", max_length=20, choices=Kind.choices, unique=True)
    title = models.CharField("title", max_length=200)
    body = models.TextField(
        "text",
        help_text="HTML: headings, paragraphs, lists, links, bold and italic. "
        "Anything else (scripts, styles, images) is removed.",
    )
    updated_at = models.DateTimeField("last changed", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="last changed by",
    )

    class Meta:
        verbose_name = "legal page"
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class LegalPageVersion(models.Model):
    """One saved state of a legal page: who changed what, and when."""

    page = models.ForeignKey(
        LegalPage, on_delete=models.CASCADE, related_name="versions"
    )
    title = models.CharField("title", max_length=200)
    body = models.TextField("text")
    changed_at = models.DateTimeField("changed at", auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="changed by",
    )
    note = models.CharField(
        "what changed", max_length=300, blank=True, help_text="In a few words."
    )

    class Meta:
        verbose_name = "legal page version"
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.page} at {self.changed_at:%Y-%m-%d %H:%M}"


# The review models (history, comments, preview links, notifications) live in
# cms.review.models, imported from there; this import registers them with the
# app when Django loads cms.models.
import cms.review.models  # noqa: E402, F401
