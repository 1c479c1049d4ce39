from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from .storage import media_asset_derivative_upload_to, media_asset_upload_to


class Tag(models.Model):
    """A label staff put on assets of one workspace, to find and filter them."""

    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        related_name="media_tags",
        verbose_name="workspace",
        help_text="Tags belong to one workspace; another workspace never sees them.",
    )
    name = models.CharField(
        "name", max_length=50, help_text="Short label, e.g. 'summer-campaign'."
    )
    created_at = models.DateTimeField(
        "created at", auto_now_add=True, help_text="When the tag was first used."
    )

    class Meta:
        verbose_name = "tag"
        ordering = ["name"]
        constraints = [
            # Case-insensitive, so "Summer" and "summer" are one tag.
            models.UniqueConstraint(
                Lower("name"), "workspace", name="media_tag_unique_name_per_workspace"
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="media_tag_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
        "workspaces.Workspace",
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
    tags = models.ManyToManyField(
        Tag,
        related_name="assets",
        blank=True,
        verbose_name="tags",
        help_text="Labels from this asset's workspace.",
    )

    probe_status = models.CharField(
        "probe status",
        max_length=10,
        choices=ProbeStatus.choices,
        default=ProbeStatus.PENDING,
        help_text="Whether the file has been read and measured.",
    )
    probe_error = models.TextField(
        "probe error",
        blank=True,
        help_text="Why the last probe of the stored file failed, if it did.",
    )
    probed_at = models.DateTimeField(
        "probed at", null=True, blank=True, help_text="When the file was last probed."
    )
    container = models.CharField(
        "container", max_length=50, blank=True, help_text="e.g. mov,mp4,m4a or webm."
    )
    video_codec = models.CharField(
        "video codec", max_length=50, blank=True, help_text="e.g. h264, hevc, vp9."
    )
    audio_codec = models.CharField(
        "audio codec",
        max_length=50,
        blank=True,
        help_text="e.g. aac, opus; empty for a silent video.",
    )
    video_stream_count = models.PositiveSmallIntegerField(
        "video tracks", default=0, help_text="TikTok needs exactly one."
    )
    audio_stream_count = models.PositiveSmallIntegerField(
        "audio tracks", default=0, help_text="Number of audio tracks."
    )
    duration_seconds = models.FloatField(
        "duration (s)", null=True, blank=True, help_text="Video duration in seconds."
    )
    frame_rate = models.FloatField(
        "frame rate", null=True, blank=True, help_text="Frames per second."
    )
    width = models.PositiveIntegerField(
        "width (px)", null=True, blank=True, help_text="Stored width in pixels."
    )
    height = models.PositiveIntegerField(
        "height (px)", null=True, blank=True, help_text="Stored height in pixels."
    )
    rotation = models.IntegerField(
        "rotation",
        default=0,
        help_text="Degrees counter-clockwise to turn the picture upright, from the "
        "video's display matrix.",
    )
    bit_rate = models.PositiveBigIntegerField(
        "bit rate", null=True, blank=True, help_text="Bits per second, all tracks."
    )
    image_format = models.CharField(
        "image format", max_length=20, blank=True, help_text="JPEG, PNG or WEBP."
    )
    exif_orientation = models.PositiveSmallIntegerField(
        "EXIF orientation",
        null=True,
        blank=True,
        help_text="1 is upright; 2 to 8 say how a camera held the photo.",
    )
    probe_details = models.JSONField(
        "probe details",
        default=dict,
        blank=True,
        help_text="Everything the probe reported, as it reported it.",
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
        help_text="Whether the probed file is within every TikTok format rule.",
    )
    thumbnail = models.FileField(
        "thumbnail",
        upload_to=media_asset_derivative_upload_to,
        blank=True,
        max_length=255,
        help_text="A small JPEG preview.",
    )
    cover_image = models.FileField(
        "cover frame",
        upload_to=media_asset_derivative_upload_to,
        blank=True,
        max_length=255,
        help_text="The video frame at the cover time, as a JPEG.",
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
        help_text="Who uploaded or imported the file.",
    )
    created_at = models.DateTimeField(
        "uploaded at", auto_now_add=True, help_text="When the file was stored."
    )

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


class MediaConversion(models.Model):
    """One run of "Make TikTok-ready": a failing asset in, a new asset out."""

    WORKSPACE_PATH = "source__workspace"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Converting"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(
        MediaAsset,
        on_delete=models.CASCADE,
        related_name="conversions",
        verbose_name="source asset",
        help_text="The asset TikTok would refuse.",
    )
    result = models.ForeignKey(
        MediaAsset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="result asset",
        help_text="The converted copy, once there is one.",
    )
    status = models.CharField(
        "status",
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        help_text="Where the conversion is.",
    )
    progress = models.FloatField(
        "progress", default=0.0, help_text="From 0 to 1, updated while converting."
    )
    error = models.TextField(
        "error", blank=True, help_text="Why the conversion failed, in words."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="requested by",
        help_text="Who asked for the conversion.",
    )
    created_at = models.DateTimeField(
        "requested at", auto_now_add=True, help_text="When it was asked for."
    )
    started_at = models.DateTimeField(
        "started at", null=True, blank=True, help_text="When a worker took it."
    )
    heartbeat_at = models.DateTimeField(
        "last progress at",
        null=True,
        blank=True,
        help_text="Last sign of life from the worker; a stale one may be retaken.",
    )
    finished_at = models.DateTimeField(
        "finished at", null=True, blank=True, help_text="When it succeeded or failed."
    )

    class Meta:
        verbose_name = "media conversion"
        ordering = ["-created_at"]
        constraints = [
            # One conversion at a time per asset: a double click queues nothing.
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(status__in=["pending", "running"]),
                name="media_conversion_one_active_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="media_conversion_progress_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}


def validate_verified_url_prefix(value: str) -> None:
    """TikTok's URL-prefix property: https:// + host (not an IP) + path + '/'."""
    parts = urlsplit(value)
    problems = []
    if parts.scheme != "https":
        problems.append("start with https://")
    host = parts.hostname or ""
    if not host:
        problems.append("name a host")
    else:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            problems.append("use a host name, not an IP address")
    if parts.username or parts.password or parts.port:
        problems.append("have no user, password or port")
    if parts.query or parts.fragment:
        problems.append("have no query string or fragment")
    if not value.endswith("/"):
        problems.append("end with '/'")
    if problems:
        raise ValidationError(
            "A verified URL prefix must " + ", ".join(problems) + "; for example "
            "https://cdn.example.com/postdeck/."
        )


class VerifiedUrlPrefix(models.Model):
    """A URL prefix verified in TikTok's developer portal (docs/tiktok.md §10).

    An asset whose public URL starts with one of these can be published with
    PULL_FROM_URL; anything else is uploaded with FILE_UPLOAD.
    """

    prefix = models.CharField(
        "URL prefix",
        max_length=500,
        unique=True,
        validators=[validate_verified_url_prefix],
        help_text="Exactly as verified at TikTok, e.g. https://cdn.example.com/media/.",
    )
    note = models.CharField(
        "note",
        max_length=200,
        blank=True,
        help_text="Which app and when it was verified, for whoever checks next.",
    )
    created_at = models.DateTimeField(
        "added at", auto_now_add=True, help_text="When it was added here."
    )

    class Meta:
        verbose_name = "verified URL prefix"
        verbose_name_plural = "verified URL prefixes"
        ordering = ["prefix"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(prefix__startswith="https://")
                & models.Q(prefix__endswith="/"),
                name="verified_url_prefix_https_and_slash",
            )
        ]

    def __str__(self) -> str:
        return self.prefix
