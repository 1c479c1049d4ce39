from __future__ import annotations

from django.conf import settings
from django.db import models

from .storage import media_asset_derivative_upload_to, media_asset_upload_to


class MediaAsset(models.Model):
    """A video or photo that Postdeck may publish, with what probing found in it."""

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        PHOTO = "photo", "Photo"

    class ProbeStatus(models.TextChoices):
        PENDING = "pending", "Waiting to be probed"
        PROBED = "probed", "Probed"
        FAILED = "failed", "Could not be read"

    workspace = models.ForeignKey(
        "cms.Workspace",
        on_delete=models.CASCADE,
        related_name="media_assets",
        verbose_name="workspace",
        help_text="The brand or client this file belongs to.",
    )
    kind = models.CharField(
        "kind", max_length=10, choices=Kind.choices, help_text="Video or photo."
    )
    file = models.FileField(
        "file",
        upload_to=media_asset_upload_to,
        max_length=255,
        help_text="Stored under a random name in the configured storage.",
    )
    original_filename = models.CharField(
        "original filename",
        max_length=255,
        blank=True,
        help_text="The name the file had when it was uploaded or imported.",
    )
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        db_index=True,
        help_text="Hex digest of the file's bytes; the same file is stored once.",
    )
    size_bytes = models.PositiveBigIntegerField("size (bytes)", help_text="File size.")
    mime_type = models.CharField(
        "MIME type",
        max_length=100,
        blank=True,
        help_text="Sniffed from the bytes, not from the extension.",
    )

    probe_status = models.CharField(
        "probe status",
        max_length=10,
        choices=ProbeStatus.choices,
        default=ProbeStatus.PENDING,
        help_text="Whether the file has been read and measured.",
    )
    container = models.CharField(
        "container", max_length=50, blank=True, help_text="e.g. mov,mp4,m4a or webm."
    )
    video_codec = models.CharField("video codec", max_length=50, blank=True)
    audio_codec = models.CharField("audio codec", max_length=50, blank=True)
    duration_seconds = models.FloatField(
        "duration (s)", null=True, blank=True, help_text="Video duration in seconds."
    )
    frame_rate = models.FloatField(
        "frame rate", null=True, blank=True, help_text="Frames per second."
    )
    width = models.PositiveIntegerField("width (px)", null=True, blank=True)
    height = models.PositiveIntegerField("height (px)", null=True, blank=True)
    rotation = models.IntegerField(
        "rotation", default=0, help_text="Display rotation in degrees, from metadata."
    )
    bit_rate = models.PositiveBigIntegerField("bit rate", null=True, blank=True)
    image_format = models.CharField("image format", max_length=20, blank=True)
    exif_orientation = models.PositiveSmallIntegerField(
        "EXIF orientation", null=True, blank=True
    )
    validation_errors = models.JSONField(
        "validation errors",
        default=list,
        blank=True,
        help_text="Why TikTok would refuse this file, one sentence each.",
    )
    is_tiktok_ready = models.BooleanField(
        "TikTok-ready",
        default=False,
        help_text="Probed and within every TikTok format rule.",
    )
    thumbnail = models.FileField(
        "thumbnail",
        upload_to=media_asset_derivative_upload_to,
        blank=True,
        max_length=255,
        help_text="A small JPEG preview.",
    )
    cover_timestamp_ms = models.PositiveIntegerField(
        "cover frame (ms)",
        default=0,
        help_text="Which moment of the video is used as its cover.",
    )
    source_asset = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_assets",
        verbose_name="made from",
        help_text="The asset this one was converted from by 'Make TikTok-ready'.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="uploaded by",
    )
    created_at = models.DateTimeField("uploaded at", auto_now_add=True)

    class Meta:
        verbose_name = "media asset"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sha256"], name="media_asset_unique_per_workspace"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["video", "photo"]),
                name="media_asset_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "kind", "is_tiktok_ready"])]

    def __str__(self) -> str:
        return self.original_filename or f"{self.get_kind_display()} {self.pk}"
