"""The sandbox's state. It lives in the database so that the web process, the
worker and the tests all see one TikTok."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tiktok_sandbox import rules


def new_open_id() -> str:
    # Shaped like TikTok's: a leading "-000" and url-safe characters.
    return "-000" + secrets.token_urlsafe(24)


def new_union_id() -> str:
    return "u-" + secrets.token_urlsafe(18)


def new_numeric_id() -> str:
    """A 19-digit id like TikTok's item and publish ids (below 2**63)."""
    return "7" + f"{secrets.randbelow(10**18):018d}"


class Endpoint(models.TextChoices):
    AUTHORIZE = "authorize", "Consent page"
    OAUTH_TOKEN = "oauth_token", "oauth/token"
    OAUTH_REVOKE = "oauth_revoke", "oauth/revoke"
    USER_INFO = "user_info", "user/info"
    VIDEO_LIST = "video_list", "video/list"
    VIDEO_QUERY = "video_query", "video/query"
    CREATOR_INFO = "creator_info", "creator_info/query"
    VIDEO_INIT = "video_init", "video/init (direct)"
    INBOX_VIDEO_INIT = "inbox_video_init", "inbox/video/init"
    CONTENT_INIT = "content_init", "content/init (photo)"
    UPLOAD = "upload", "Chunk PUT"
    STATUS_FETCH = "status_fetch", "status/fetch"
    CANCEL = "cancel", "cancel"
    PROCESSING = "processing", "Processing (after the media arrived)"


INIT_ENDPOINTS = (Endpoint.VIDEO_INIT, Endpoint.INBOX_VIDEO_INIT, Endpoint.CONTENT_INIT)


class SandboxSettings(models.Model):
    """The sandbox app's configuration: one row, edited in the admin or by tests."""

    is_audited = models.BooleanField(
        "audited client",
        default=True,
        help_text="Unaudited clients may post only SELF_ONLY, only to private "
        "accounts, and only for 5 creators a day.",
    )
    access_token_ttl = models.PositiveIntegerField(
        "access token lifetime (s)",
        default=7200,
        help_text="expires_in of new access tokens (TikTok's newest docs: 2 h).",
    )
    refresh_token_ttl = models.PositiveIntegerField(
        "refresh token lifetime (s)",
        default=15552000,
        help_text="refresh_expires_in of new refresh tokens (newest docs: 180 days).",
    )
    require_pkce = models.BooleanField(
        "require PKCE",
        default=False,
        help_text="Refuse consent requests without a code_challenge, as TikTok does "
        "for some app setups.",
    )
    oauth_error_http_status = models.PositiveSmallIntegerField(
        "OAuth error HTTP status",
        default=400,
        help_text="TikTok does not document it; HTTP 200 with an error body has "
        "been observed.",
    )
    processing_delay_seconds = models.PositiveIntegerField(
        "processing delay (s)",
        default=5,
        help_text="From the last byte received (or from init, for PULL_FROM_URL) "
        "to PUBLISH_COMPLETE or SEND_TO_USER_INBOX.",
    )
    moderation_delay_seconds = models.PositiveIntegerField(
        "moderation delay (s)",
        default=10,
        help_text="From PUBLISH_COMPLETE to the post id of a public post.",
    )
    webhooks_enabled = models.BooleanField(
        "send webhooks",
        default=True,
        help_text="Send signed events to the webhook URL.",
    )
    webhook_url = models.URLField(
        "webhook URL",
        max_length=500,
        blank=True,
        help_text="Empty: Postdeck's own BASE_URL + /tiktok/webhook/.",
    )
    verified_url_prefixes = models.JSONField(
        "verified URL properties",
        default=list,
        blank=True,
        help_text="URL prefixes ('https://cdn.example.com/videos/') or domains "
        "('example.com') that PULL_FROM_URL may use.",
    )
    is_own_media_url_verified = models.BooleanField(
        "Postdeck's media URL is verified",
        default=True,
        help_text="Treat BASE_URL + MEDIA_URL as a verified URL prefix.",
    )
    fetches_pulled_media = models.BooleanField(
        "download PULL_FROM_URL media",
        default=True,
        help_text="Download the URL when processing (video_pull_failed if it "
        "fails); off: pretend the download worked.",
    )
    active_user_cap = models.PositiveIntegerField(
        "active creator cap",
        null=True,
        blank=True,
        help_text="Distinct creators that may post in 24 h (empty: no cap). "
        "Unaudited clients are capped at 5 whatever this says.",
    )
    hang_seconds = models.FloatField(
        "hang instead of dropping (s)",
        default=30.0,
        help_text="When the server cannot drop a connection, hold the answer this "
        "long instead; it should exceed the client's read timeout.",
    )
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "sandbox settings"
        verbose_name_plural = "sandbox settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="sandbox_settings_singleton")
        ]

    def __str__(self) -> str:
        return "Sandbox settings"


class SandboxCreator(models.Model):
    """A fake TikTok user who can grant the app access on the consent page."""

    open_id = models.CharField(
        "open id",
        max_length=128,
        unique=True,
        default=new_open_id,
        help_text="The per-app user id the API returns.",
    )
    union_id = models.CharField(
        "union id",
        max_length=128,
        default=new_union_id,
        help_text="The same id across one developer's apps.",
    )
    username = models.CharField(
        "username",
        max_length=64,
        unique=True,
        help_text="The @handle (creator_username).",
    )
    nickname = models.CharField(
        "nickname", max_length=100, help_text="display_name / creator_nickname."
    )
    bio_description = models.TextField("bio", blank=True, help_text="Profile bio.")
    is_verified = models.BooleanField(
        "verified badge", default=False, help_text="is_verified in user info."
    )
    is_private_account = models.BooleanField(
        "private account",
        default=False,
        help_text="Private accounts offer FOLLOWER_OF_CREATOR instead of "
        "PUBLIC_TO_EVERYONE, and have Duet and Stitch off.",
    )
    is_comment_disabled = models.BooleanField(
        "comments off", default=False, help_text="Comments set to 'No one'."
    )
    is_duet_disabled = models.BooleanField(
        "Duet off", default=False, help_text="Duet set to 'No one'."
    )
    is_stitch_disabled = models.BooleanField(
        "Stitch off", default=False, help_text="Stitch set to 'No one'."
    )
    max_video_post_duration_sec = models.PositiveIntegerField(
        "max video duration (s)",
        default=600,
        help_text="Reported by creator_info; the client must enforce it.",
    )
    privacy_level_options = models.JSONField(
        "privacy options override",
        default=list,
        blank=True,
        help_text="Empty: the account type's options. E.g. ['SELF_ONLY'].",
    )
    daily_post_cap = models.PositiveIntegerField(
        "posts per 24 h",
        default=rules.DAILY_POST_CAP,
        help_text="Direct posts allowed in any 24 h (spam_risk_too_many_posts).",
    )
    is_banned_from_posting = models.BooleanField(
        "banned from posting",
        default=False,
        help_text="Every post is refused with spam_risk_user_banned_from_posting.",
    )
    has_outdated_app = models.BooleanField(
        "outdated TikTok app",
        default=False,
        help_text="Photo MEDIA_UPLOAD is refused with app_version_check_failed.",
    )
    follower_count = models.PositiveBigIntegerField("followers", default=0)
    following_count = models.PositiveBigIntegerField("following", default=0)
    likes_count = models.PositiveBigIntegerField(
        "likes", default=0, help_text="Likes before any sandbox video."
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        verbose_name = "sandbox creator"
        ordering = ["username"]

    def __str__(self) -> str:
        return f"@{self.username}"


class SandboxAuthorizationCode(models.Model):
    """A code from the consent page: single use, short-lived, bound to the
    redirect URI and PKCE challenge it was issued for."""

    code_hash = models.CharField(
        "code SHA-256", max_length=64, unique=True, help_text="Never the code."
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.CASCADE,
        related_name="authorization_codes",
        verbose_name="creator",
    )
    scopes = models.JSONField("granted scopes", default=list)
    redirect_uri = models.CharField("redirect URI", max_length=512)
    code_challenge = models.CharField(
        "code challenge", max_length=128, blank=True, help_text="Empty: no PKCE."
    )
    created_at = models.DateTimeField("created at", default=timezone.now)
    expires_at = models.DateTimeField("expires at")
    used_at = models.DateTimeField(
        "used at", null=True, blank=True, help_text="Set by the first exchange."
    )

    class Meta:
        verbose_name = "sandbox authorization code"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code for {self.creator} ({self.code_hash[:8]}…)"


class SandboxToken(models.Model):
    """An issued token, stored as its SHA-256 only."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access token"
        REFRESH = "refresh", "Refresh token"
        CLIENT = "client", "Client token"

    kind = models.CharField("kind", max_length=10, choices=Kind.choices)
    token_hash = models.CharField(
        "token SHA-256", max_length=64, unique=True, help_text="Never the token."
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tokens",
        verbose_name="creator",
        help_text="Empty for client tokens.",
    )
    grant_id = models.UUIDField(
        "grant",
        default=uuid.uuid4,
        help_text="Tokens from one consent and its refreshes; revoke ends them all.",
    )
    scopes = models.JSONField("scopes", default=list)
    issued_at = models.DateTimeField("issued at", default=timezone.now)
    expires_at = models.DateTimeField("expires at")
    revoked_at = models.DateTimeField("revoked at", null=True, blank=True)
    rotated_at = models.DateTimeField(
        "rotated at",
        null=True,
        blank=True,
        help_text="A refresh token dies when it is used to refresh.",
    )

    class Meta:
        verbose_name = "sandbox token"
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["creator", "kind"]),
            models.Index(fields=["grant_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token_hash[:8]}…"


class SandboxPublish(models.Model):
    """One init: the publish_id, what was declared, what arrived, where it stands."""

    class Status(models.TextChoices):
        PROCESSING_UPLOAD = "PROCESSING_UPLOAD", "Processing upload"
        PROCESSING_DOWNLOAD = "PROCESSING_DOWNLOAD", "Processing download"
        SEND_TO_USER_INBOX = "SEND_TO_USER_INBOX", "Sent to the user's inbox"
        PUBLISH_COMPLETE = "PUBLISH_COMPLETE", "Publish complete"
        FAILED = "FAILED", "Failed"

    PROCESSING = (Status.PROCESSING_UPLOAD, Status.PROCESSING_DOWNLOAD)

    class Flow(models.TextChoices):
        DIRECT = "direct", "Direct post"
        INBOX = "inbox", "Upload to inbox"

    class MediaType(models.TextChoices):
        VIDEO = "VIDEO", "Video"
        PHOTO = "PHOTO", "Photo"

    class Source(models.TextChoices):
        FILE_UPLOAD = "FILE_UPLOAD", "File upload"
        PULL_FROM_URL = "PULL_FROM_URL", "Pull from URL"

    publish_id = models.CharField(
        "publish id", max_length=64, unique=True, help_text="As returned by init."
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.CASCADE,
        related_name="publishes",
        verbose_name="creator",
    )
    flow = models.CharField("flow", max_length=10, choices=Flow.choices)
    media_type = models.CharField(
        "media type", max_length=10, choices=MediaType.choices
    )
    source = models.CharField("source", max_length=20, choices=Source.choices)
    post_info = models.JSONField(
        "post_info", default=dict, blank=True, help_text="As sent to init."
    )
    source_info = models.JSONField(
        "source_info", default=dict, blank=True, help_text="As sent to init."
    )
    privacy_level = models.CharField(
        "privacy level",
        max_length=30,
        blank=True,
        help_text="Empty for inbox flows: the creator picks it in the app.",
    )
    video_size = models.PositiveBigIntegerField(
        "declared size", null=True, blank=True, help_text="FILE_UPLOAD only."
    )
    chunk_size = models.PositiveBigIntegerField(
        "declared chunk size", null=True, blank=True
    )
    total_chunk_count = models.PositiveIntegerField(
        "declared chunk count", null=True, blank=True
    )
    upload_id = models.UUIDField(
        "upload id", null=True, blank=True, unique=True, help_text="In upload_url."
    )
    upload_token_hash = models.CharField(
        "upload token SHA-256", max_length=64, blank=True
    )
    upload_url_expires_at = models.DateTimeField(
        "upload URL expires at", null=True, blank=True, help_text="1 h after init."
    )
    bytes_received = models.PositiveBigIntegerField(
        "bytes received",
        default=0,
        help_text="Also the offset the next chunk must start at.",
    )
    chunks_received = models.PositiveIntegerField("chunks received", default=0)
    has_partial_upload = models.BooleanField(
        "bytes on disk",
        default=False,
        help_text="A partial upload file exists; removed when complete or expired.",
    )
    received_size = models.PositiveBigIntegerField(
        "received size",
        null=True,
        blank=True,
        help_text="Bytes that arrived (uploaded or downloaded), once complete.",
    )
    received_sha256 = models.CharField(
        "received SHA-256",
        max_length=64,
        blank=True,
        help_text="Of the bytes that arrived, once complete.",
    )
    downloaded_bytes = models.PositiveBigIntegerField(
        "downloaded bytes", default=0, help_text="PULL_FROM_URL only."
    )
    status = models.CharField(
        "status", max_length=30, choices=Status.choices, help_text="TikTok's status."
    )
    fail_reason = models.CharField(
        "fail reason", max_length=60, blank=True, help_text="When FAILED."
    )
    processing_due_at = models.DateTimeField(
        "processing done at",
        null=True,
        blank=True,
        help_text="When processing ends; set once the media has arrived (FILE) or "
        "at init (URL).",
    )
    download_started_at = models.DateTimeField(
        "download started at",
        null=True,
        blank=True,
        help_text="A started download can no longer be cancelled.",
    )
    created_at = models.DateTimeField("initialised at", default=timezone.now)
    media_received_at = models.DateTimeField("media received at", null=True, blank=True)
    inbox_delivered_at = models.DateTimeField("sent to inbox at", null=True, blank=True)
    completed_at = models.DateTimeField("completed at", null=True, blank=True)
    failed_at = models.DateTimeField("failed at", null=True, blank=True)

    class Meta:
        verbose_name = "sandbox publish"
        verbose_name_plural = "sandbox publishes"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bytes_received__lte=models.F("video_size"))
                | Q(video_size__isnull=True),
                name="sandbox_publish_received_within_declared",
            ),
            models.CheckConstraint(
                condition=Q(source="PULL_FROM_URL") | Q(media_type="VIDEO"),
                name="sandbox_publish_photos_are_pulled",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "processing_due_at"]),
            models.Index(fields=["creator", "flow", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.publish_id

    @property
    def publish_type(self) -> str:
        """``publish_type`` in webhook content (DIRECT_PUBLISH is UNCONFIRMED)."""
        return "INBOX_SHARE" if self.flow == self.Flow.INBOX else "DIRECT_PUBLISH"


class SandboxVideo(models.Model):
    """A post on a creator's profile: made by a completed publish or the admin."""

    video_id = models.CharField(
        "video id",
        max_length=19,
        unique=True,
        default=new_numeric_id,
        help_text="19-digit item id.",
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.CASCADE,
        related_name="videos",
        verbose_name="creator",
    )
    publish = models.ForeignKey(
        SandboxPublish,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="videos",
        verbose_name="publish",
        help_text="Empty for videos added by hand.",
    )
    title = models.CharField("title", max_length=rules.VIDEO_TITLE_MAX, blank=True)
    video_description = models.CharField(
        "description", max_length=rules.PHOTO_DESCRIPTION_MAX, blank=True
    )
    privacy_level = models.CharField(
        "privacy level", max_length=30, help_text="Only public posts are listed."
    )
    duration = models.PositiveIntegerField("duration (s)", default=15)
    width = models.PositiveIntegerField("width", default=1080)
    height = models.PositiveIntegerField("height", default=1920)
    posted_at = models.DateTimeField(
        "posted at", default=timezone.now, help_text="create_time."
    )
    moderation_due_at = models.DateTimeField(
        "moderation done at",
        null=True,
        blank=True,
        help_text="When a public post passes moderation.",
    )
    publicly_available_at = models.DateTimeField(
        "public since",
        null=True,
        blank=True,
        help_text="Set when moderation passes; only these are listed.",
    )

    class Meta:
        verbose_name = "sandbox video"
        ordering = ["-posted_at"]
        indexes = [
            models.Index(fields=["creator", "publicly_available_at", "posted_at"]),
            models.Index(fields=["moderation_due_at"]),
        ]

    def __str__(self) -> str:
        return self.video_id


class SandboxFault(models.Model):
    """One entry of the fault plan: how the next matching call misbehaves."""

    class Action(models.TextChoices):
        RESPOND = "respond", "Answer with an error instead of acting"
        DROP_BEFORE_ACTING = "drop_before", "Drop the connection without acting"
        DROP_AFTER_ACTING = "drop_after", "Act, then drop the connection"
        RESPOND_AFTER_ACTING = "respond_after", "Act, then answer with an error"
        DELAY = "delay", "Wait, then act normally"
        FAIL_PROCESSING = "fail_processing", "Fail processing with a fail_reason"

    endpoint = models.CharField(
        "endpoint",
        max_length=30,
        choices=Endpoint.choices,
        help_text="'Processing' pairs with 'fail processing'.",
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="faults",
        verbose_name="only for creator",
        help_text="Empty: any creator.",
    )
    chunk_number = models.PositiveIntegerField(
        "only for chunk",
        null=True,
        blank=True,
        help_text="Chunk PUT only: the Nth chunk, counting from 1.",
    )
    action = models.CharField("action", max_length=20, choices=Action.choices)
    http_status = models.PositiveSmallIntegerField(
        "HTTP status", null=True, blank=True, help_text="For 'answer with an error'."
    )
    error_code = models.CharField(
        "error code",
        max_length=80,
        blank=True,
        help_text="error.code (or the OAuth 'error'), e.g. internal_error.",
    )
    error_message = models.CharField("error message", max_length=300, blank=True)
    retry_after_seconds = models.PositiveIntegerField(
        "Retry-After (s)",
        null=True,
        blank=True,
        help_text="Adds a Retry-After header to the error (TikTok documents none).",
    )
    delay_seconds = models.FloatField(
        "delay (s)", null=True, blank=True, help_text="For 'wait, then act'."
    )
    fail_reason = models.CharField(
        "fail reason",
        max_length=60,
        blank=True,
        help_text="For 'fail processing', e.g. frame_rate_check_failed.",
    )
    remaining = models.PositiveIntegerField(
        "times left",
        null=True,
        blank=True,
        default=1,
        help_text="1: once. Empty: every time.",
    )
    active_until = models.DateTimeField(
        "active until",
        null=True,
        blank=True,
        help_text="Empty: until used up. E.g. 'answer 429 for 90 s'.",
    )
    times_fired = models.PositiveIntegerField("times fired", default=0)
    created_at = models.DateTimeField("created at", default=timezone.now)

    class Meta:
        verbose_name = "sandbox fault"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="respond") | Q(http_status__isnull=False),
                name="sandbox_fault_respond_has_status",
            ),
            models.CheckConstraint(
                condition=~Q(action="delay") | Q(delay_seconds__isnull=False),
                name="sandbox_fault_delay_has_seconds",
            ),
            models.CheckConstraint(
                condition=(
                    Q(action="fail_processing", endpoint="processing")
                    & ~Q(fail_reason="")
                )
                | (~Q(action="fail_processing") & ~Q(endpoint="processing")),
                name="sandbox_fault_processing_pairs",
            ),
            models.CheckConstraint(
                condition=Q(chunk_number__isnull=True) | Q(endpoint="upload"),
                name="sandbox_fault_chunk_only_for_upload",
            ),
        ]

    def __str__(self) -> str:
        left = "always" if self.remaining is None else f"{self.remaining} left"
        return f"{self.get_endpoint_display()}: {self.get_action_display()} ({left})"


class SandboxCall(models.Model):
    """The journal: one row per request the sandbox answered (or dropped)."""

    endpoint = models.CharField("endpoint", max_length=30, choices=Endpoint.choices)
    method = models.CharField("method", max_length=10)
    token = models.ForeignKey(
        SandboxToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name="access token",
        help_text="Rate limits count calls per token.",
    )
    token_hash_prefix = models.CharField(
        "token hash prefix", max_length=12, blank=True, help_text="Never the token."
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name="creator",
    )
    http_status = models.PositiveSmallIntegerField(
        "HTTP status", null=True, blank=True, help_text="Empty when dropped."
    )
    error_code = models.CharField("error code", max_length=80, blank=True)
    publish_id = models.CharField("publish id", max_length=64, blank=True)
    chunk_number = models.PositiveIntegerField(
        "chunk", null=True, blank=True, help_text="Counting from 1."
    )
    byte_count = models.PositiveBigIntegerField("bytes", null=True, blank=True)
    fault = models.ForeignKey(
        SandboxFault,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name="fault applied",
    )
    is_dropped = models.BooleanField(
        "connection dropped", default=False, help_text="No answer was written."
    )
    log_id = models.CharField("log id", max_length=40)
    created_at = models.DateTimeField("at", default=timezone.now)

    class Meta:
        verbose_name = "sandbox call"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["token", "endpoint", "created_at"]),
            models.Index(fields=["endpoint", "created_at"]),
            models.Index(fields=["publish_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.http_status or 'dropped'} {self.error_code}"


class SandboxWebhookDelivery(models.Model):
    """A webhook event and its delivery to the app's callback URL."""

    event = models.CharField("event", max_length=80)
    dedupe_key = models.CharField(
        "event key",
        max_length=200,
        unique=True,
        help_text="One delivery per event, however many processes notice it.",
    )
    creator = models.ForeignKey(
        SandboxCreator,
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
        verbose_name="creator",
    )
    publish = models.ForeignKey(
        SandboxPublish,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
        verbose_name="publish",
    )
    body = models.TextField(
        "body", help_text="The exact JSON sent (content is a JSON string inside)."
    )
    created_at = models.DateTimeField("created at", default=timezone.now)
    next_attempt_at = models.DateTimeField("next attempt at", default=timezone.now)
    attempt_count = models.PositiveIntegerField("attempts", default=0)
    last_http_status = models.PositiveSmallIntegerField(
        "last HTTP status", null=True, blank=True
    )
    last_error = models.CharField("last error", max_length=300, blank=True)
    delivered_at = models.DateTimeField("delivered at", null=True, blank=True)
    abandoned_at = models.DateTimeField(
        "given up at",
        null=True,
        blank=True,
        help_text="TikTok stops retrying after 72 h.",
    )

    class Meta:
        verbose_name = "sandbox webhook delivery"
        verbose_name_plural = "sandbox webhook deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True, abandoned_at__isnull=True),
                name="sandbox_webhook_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.dedupe_key})"
