"""PublishJob (one post going to one account, with its state groups) and
PublishAttempt (one external call to TikTok, kept for support)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from tiktok_integration.client import facts
from tiktok_integration.encryption import EncryptedTextField

from .accounts import TikTokAccount

#: The in-flight states' values, for ``PublishJob.IN_FLIGHT`` and for its
#: one-in-flight-per-account constraint: ``Meta`` cannot see the class's names.
_IN_FLIGHT_VALUES = ["claimed", "init_pending", "uploading"]


def default_max_attempts() -> int:
    """``TIKTOK_PUBLISH_MAX_ATTEMPTS``, read when a job is made (so a changed
    setting applies to new jobs, not to jobs already planned)."""
    return int(settings.TIKTOK_PUBLISH_MAX_ATTEMPTS)


class PublishJob(models.Model):
    """One post going to one account: the unit that is claimed, uploaded and watched.

    ``status`` is written only by ``tiktok_integration.publishing.transitions``
    (compare-and-set moves, one timestamp per state); the state groups below are
    the one definition every other module uses.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CLAIMED = "claimed", "Claimed"
        INIT_PENDING = "init_pending", "Starting upload"
        UPLOADING = "uploading", "Uploading"
        PROCESSING = "processing", "Processing at TikTok"
        SENT_TO_INBOX = "sent_to_inbox", "Sent to inbox"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        NEEDS_REVIEW = "needs_review", "Needs review"
        NEEDS_CONFIRMATION = "needs_confirmation", "Needs confirmation"
        PAUSED_REAUTH = "paused_reauth", "Paused: reconnect account"

    # --- State groups ---------------------------------------------------------
    #: A worker is sending it (holds or is about to hold a lease); the database
    #: allows one per account (the constraint below uses the same values).
    IN_FLIGHT: tuple[Status, ...] = tuple(map(Status, _IN_FLIGHT_VALUES))
    #: TikTok has the whole post: polled for its outcome, counted toward caps.
    AT_TIKTOK = (Status.PROCESSING, Status.SENT_TO_INBOX, Status.PUBLISHED)
    #: TikTok has the whole post and has not said how it ended yet.
    AWAITING_TIKTOK = (Status.PROCESSING, Status.SENT_TO_INBOX)
    #: Nothing more happens to it by itself.
    TERMINAL = (Status.PUBLISHED, Status.FAILED, Status.CANCELLED)
    #: Not sent yet, waiting for its time or for a person to confirm it.
    WAITING = (Status.SCHEDULED, Status.NEEDS_CONFIRMATION)
    #: Not claimed yet: staff may change its settings.
    EDITABLE = (*WAITING, Status.PAUSED_REAUTH)
    #: Stopped for a person; shown on the dashboard.
    NEEDS_ATTENTION = (
        Status.FAILED,
        Status.NEEDS_REVIEW,
        Status.NEEDS_CONFIRMATION,
        Status.PAUSED_REAUTH,
    )
    #: Staff may try it again ("Retry").
    RETRYABLE = (Status.FAILED, Status.NEEDS_REVIEW)
    #: The post settings staff choose that TikTok receives with the post
    #: (docs/tiktok.md §4.2, §8): the composer, the job form and a plan's columns.
    TIKTOK_SETTINGS = (
        "privacy_level",
        "allow_comment",
        "allow_duet",
        "allow_stitch",
        "brand_organic",
        "brand_content",
        "is_aigc",
        "cover_timestamp_ms",
    )
    #: What staff choose about how the post goes out (the job form, copies).
    SENDING_FIELDS = (
        "mode",
        "source",
        *TIKTOK_SETTINGS,
        "photo_title",
        "photo_cover_index",
    )

    class DeferralReason(models.TextChoices):
        """TikTok's caps that defer a post (docs/tiktok.md §6)."""

        DAILY_CAP = "daily_cap", "The creator's daily post cap"
        INBOX_CAP = "inbox_cap", "The creator's pending-inbox limit"
        APP_CAP = "app_cap", "The app's daily creator cap"

    class Mode(models.TextChoices):
        DIRECT = "direct", "Direct post"
        DRAFT = "draft", "Draft to the creator's inbox"

    class Source(models.TextChoices):
        FILE_UPLOAD = "FILE_UPLOAD", "Upload the file"
        PULL_FROM_URL = "PULL_FROM_URL", "TikTok pulls from a verified URL"

    class PrivacyLevel(models.TextChoices):
        """TikTok's privacy levels (client/facts.py), with the labels staff see."""

        PUBLIC_TO_EVERYONE = facts.PrivacyLevel.PUBLIC_TO_EVERYONE.value, "Everyone"
        MUTUAL_FOLLOW_FRIENDS = (
            facts.PrivacyLevel.MUTUAL_FOLLOW_FRIENDS.value,
            "Friends",
        )
        FOLLOWER_OF_CREATOR = facts.PrivacyLevel.FOLLOWER_OF_CREATOR.value, "Followers"
        SELF_ONLY = facts.PrivacyLevel.SELF_ONLY.value, "Only me"

    post = models.ForeignKey(
        "cms.Post",
        on_delete=models.CASCADE,
        related_name="publish_jobs",
        verbose_name="post",
    )
    account = models.ForeignKey(
        TikTokAccount,
        on_delete=models.PROTECT,
        related_name="publish_jobs",
        verbose_name="account",
    )
    status = models.CharField(
        "state",
        max_length=20,
        choices=Status.choices,
        default=Status.SCHEDULED,
        help_text="Where this post stands for this account.",
    )
    scheduled_at = models.DateTimeField(
        "planned for",
        help_text="When this account's copy is planned to go out (UTC); a posting "
        "cap that defers it keeps this and sets 'next try at'.",
    )
    idempotency_key = models.UUIDField(
        "idempotency key",
        default=uuid.uuid4,
        editable=False,
        help_text="From the composer form, so a double submit creates one job.",
    )

    # What is sent, as consented to by staff.
    mode = models.CharField(
        "mode", max_length=10, choices=Mode.choices, default=Mode.DIRECT
    )
    source = models.CharField(
        "source",
        max_length=20,
        choices=Source.choices,
        default=Source.FILE_UPLOAD,
        help_text="How TikTok receives the media.",
    )
    privacy_level = models.CharField(
        "who can view",
        max_length=30,
        choices=PrivacyLevel.choices,
        blank=True,
        help_text="No default: must be one of the account's current options.",
    )
    allow_comment = models.BooleanField("allow comments", default=False)
    allow_duet = models.BooleanField("allow Duet", default=False)
    allow_stitch = models.BooleanField("allow Stitch", default=False)
    brand_organic = models.BooleanField(
        "your brand",
        default=False,
        help_text="Promotes the creator's own business ('Promotional content').",
    )
    brand_content = models.BooleanField(
        "branded content",
        default=False,
        help_text="Promotes a third party ('Paid partnership'); cannot be private.",
    )
    is_aigc = models.BooleanField("AI-generated", default=False)
    cover_timestamp_ms = models.PositiveIntegerField(
        "cover frame (ms)",
        null=True,
        blank=True,
        help_text="Video: the moment used as the cover. Empty: the first frame.",
    )
    photo_cover_index = models.PositiveSmallIntegerField(
        "cover photo",
        default=0,
        help_text="Photo posts: which photo (0 = first) is the cover.",
    )
    photo_title = models.CharField(
        "photo title",
        max_length=200,
        blank=True,
        help_text=f"Photo posts: a title of at most {facts.PHOTO_TITLE_MAX_UTF16} "
        "UTF-16 units; the caption is sent as the description.",
    )
    consent_snapshot = models.JSONField(
        "what was shown",
        default=dict,
        blank=True,
        help_text="Creator info and declaration shown when staff consented.",
    )
    media_sha256 = models.CharField(
        "media SHA-256",
        max_length=64,
        blank=True,
        help_text="The media frozen at claim time; a later edit makes a new job.",
    )

    # Lease and fencing (docs/reliability.md §4).
    lease_owner = models.CharField("lease owner", max_length=200, blank=True)
    lease_expires_at = models.DateTimeField("lease expires at", null=True, blank=True)
    lease_version = models.PositiveIntegerField(
        "lease version",
        default=0,
        help_text="Fencing token: bumped on every claim; stale workers stop.",
    )
    attempt_count = models.PositiveIntegerField("attempts", default=0)
    max_attempts = models.PositiveIntegerField(
        "max attempts",
        default=default_max_attempts,
        help_text="Claims (and inits TikTok left unanswered) before the job stops "
        "for a person; new jobs take TIKTOK_PUBLISH_MAX_ATTEMPTS.",
    )
    next_action_at = models.DateTimeField(
        "next action at",
        null=True,
        blank=True,
        help_text="When the reconciler should next look at this job.",
    )
    deferred_until = models.DateTimeField(
        "next try at",
        null=True,
        blank=True,
        help_text="A posting cap deferred it: when Postdeck tries next (UTC). "
        "The planned time above is kept.",
    )
    deferred_reason = models.CharField(
        "deferred by",
        max_length=20,
        choices=DeferralReason.choices,
        blank=True,
        help_text="Which of TikTok's caps deferred it; empty when none did.",
    )
    transient_failure_count = models.PositiveIntegerField(
        "transient failures",
        default=0,
        help_text="Temporary failures in a row; sets the backoff, reset on progress.",
    )

    # What TikTok told us.
    publish_id = models.CharField("publish id", max_length=64, blank=True)
    upload_url = EncryptedTextField("upload URL")
    chunk_size = models.PositiveBigIntegerField("chunk size", null=True, blank=True)
    total_chunks = models.PositiveIntegerField("chunks", null=True, blank=True)
    next_chunk = models.PositiveIntegerField("next chunk", default=0)
    bytes_confirmed = models.PositiveBigIntegerField("bytes confirmed", default=0)
    last_tiktok_status = models.CharField("TikTok status", max_length=40, blank=True)
    fail_reason = models.CharField("TikTok fail reason", max_length=80, blank=True)
    failure_message = models.TextField(
        "what went wrong", blank=True, help_text="In words, for staff."
    )
    tiktok_post_ids = models.JSONField("TikTok post ids", default=list, blank=True)
    public_url = models.URLField("public URL", max_length=500, blank=True)
    orphan_publish_ids = models.JSONField(
        "orphan publish ids",
        default=list,
        blank=True,
        help_text="Inits whose answer was lost; kept for audit.",
    )

    # Intent markers and one timestamp per state.
    init_requested_at = models.DateTimeField("init requested at", null=True, blank=True)
    final_chunk_sent_at = models.DateTimeField(
        "final chunk sent at", null=True, blank=True
    )
    claimed_at = models.DateTimeField("claimed at", null=True, blank=True)
    uploading_at = models.DateTimeField("upload started at", null=True, blank=True)
    processing_at = models.DateTimeField("processing since", null=True, blank=True)
    sent_to_inbox_at = models.DateTimeField("sent to inbox at", null=True, blank=True)
    published_at = models.DateTimeField("published at", null=True, blank=True)
    failed_at = models.DateTimeField("failed at", null=True, blank=True)
    cancelled_at = models.DateTimeField("cancelled at", null=True, blank=True)
    needs_review_at = models.DateTimeField("needs review since", null=True, blank=True)
    needs_confirmation_at = models.DateTimeField(
        "needs confirmation since", null=True, blank=True
    )
    paused_at = models.DateTimeField("paused at", null=True, blank=True)
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "publish job"
        ordering = ["-scheduled_at"]
        permissions = [("publish_publishjob", "Can publish, retry or cancel jobs")]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "account"], name="publish_job_one_per_post_and_account"
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], name="publish_job_idempotency_key_unique"
            ),
            # One job per account in flight keeps init within TikTok's 6/min and
            # keeps each account's posts in order.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=_IN_FLIGHT_VALUES),
                name="publish_job_one_in_flight_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(
                    brand_content=True, privacy_level=facts.PrivacyLevel.SELF_ONLY.value
                ),
                name="publish_job_branded_content_not_private",
            ),
        ]
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                condition=Q(status="scheduled"),
                name="publish_job_due",
            ),
            models.Index(fields=["status", "next_action_at"]),
            models.Index(
                fields=["deferred_until"],
                condition=Q(status="scheduled", deferred_until__isnull=False),
                name="publish_job_deferred_due",
            ),
            models.Index(fields=["publish_id"]),
            # Messages on their way (the poll tick's backpressure counts them).
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(lease_owner="dispatched"),
                name="publish_job_dispatched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.account}"

    @property
    def due_at(self) -> datetime:
        """When the dispatcher hands it out (aware UTC): the cap's next try
        when a cap deferred it, else the planned ``scheduled_at``."""
        return self.deferred_until or self.scheduled_at


class PublishAttempt(models.Model):
    """One external call to TikTok, kept for support (log id) and for the admin."""

    job = models.ForeignKey(
        PublishJob,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name="publish job",
    )
    account = models.ForeignKey(
        TikTokAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name="account",
    )
    endpoint = models.CharField("endpoint", max_length=80)
    http_method = models.CharField("method", max_length=10, default="POST")
    http_status = models.PositiveSmallIntegerField(
        "HTTP status", null=True, blank=True, help_text="Empty when no answer came."
    )
    tiktok_code = models.CharField("TikTok code", max_length=80, blank=True)
    log_id = models.CharField(
        "TikTok log id", max_length=80, blank=True, help_text="Quote it to support."
    )
    error_class = models.CharField("error class", max_length=40, blank=True)
    message = models.CharField("message", max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField("duration (ms)", default=0)
    lease_version = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField("started at")

    class Meta:
        verbose_name = "publish attempt"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "started_at"])]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.http_status or '—'} {self.tiktok_code}"
