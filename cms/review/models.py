"""What review leaves behind: every move of a post's editorial state, the
comments on it, the preview links sent to clients, and the notifications
people read in the admin.

A post's state itself lives on ``cms.models.Post`` (``editorial_state``,
``review_stage``) and only ``cms.review.transitions`` writes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PostReviewEvent(models.Model):
    """One move of a post's editorial state (or an approval that moved it to the
    next stage): who, when, how (signed in or by a preview link) and why."""

    class Via(models.TextChoices):
        ADMIN = "admin", "Signed in"
        LINK = "link", "Preview link"
        SYSTEM = "system", "Postdeck"

    post = models.ForeignKey(
        "cms.Post", on_delete=models.CASCADE, related_name="review_events"
    )
    from_state = models.CharField("from", max_length=20)
    to_state = models.CharField("to", max_length=20)
    stage = models.CharField(
        "stage", max_length=10, blank=True, help_text="Review stage acted on."
    )
    action = models.CharField(
        "action",
        max_length=30,
        help_text="submitted, approved, changes_requested, scheduled, "
        "edited_after_approval, needs_new_time.",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="by (user)",
    )
    actor_name = models.CharField(
        "by (name)",
        max_length=150,
        help_text="The user's name, or the name a reviewer gave on a preview link.",
    )
    via = models.CharField("via", max_length=10, choices=Via.choices)
    note = models.TextField("note", blank=True)
    at = models.DateTimeField("at", auto_now_add=True)

    class Meta:
        verbose_name = "review event"
        ordering = ["at", "pk"]

    ACTION_LABELS = {
        "submitted": "sent it for review",
        "approved": "approved",
        "changes_requested": "requested changes",
        "scheduled": "scheduled it",
        "edited_after_approval": "edited it after approval (back to review)",
    }

    def __str__(self) -> str:
        return (
            f"{self.post_id}: {self.from_state} -> {self.to_state} by {self.actor_name}"
        )

    @property
    def action_label(self) -> str:
        """The action in words, for history lists."""
        return self.ACTION_LABELS.get(self.action, self.action)


class PostComment(models.Model):
    """A comment on a post; a reply has a ``parent`` (one level of threads).
    Resolving a top-level comment folds its thread away. A team-only thread
    (``is_internal``, replies included) is never shown to the client."""

    post = models.ForeignKey(
        "cms.Post", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name="reply to",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(
        "name", max_length=150, help_text="As shown; given by link reviewers."
    )
    body = models.TextField("comment", max_length=4000)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name="mentioned",
        help_text="Workspace members named with @username.",
    )
    is_internal = models.BooleanField(
        "team only",
        default=False,
        help_text="Hidden from the client (client reviewers and preview links).",
    )
    is_resolved = models.BooleanField("resolved", default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField("resolved at", null=True, blank=True)
    created_at = models.DateTimeField("written at", auto_now_add=True)

    class Meta:
        verbose_name = "comment"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class PreviewLink(models.Model):
    """A link a client opens to see and review one post. The URL carries this
    row's id and ``nonce``, signed (``cms.review.links``); it works until
    ``expires_at`` and while not revoked."""

    post = models.ForeignKey(
        "cms.Post", on_delete=models.CASCADE, related_name="preview_links"
    )
    nonce = models.CharField("nonce", max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    expires_at = models.DateTimeField("expires at")
    revoked_at = models.DateTimeField("revoked at", null=True, blank=True)

    class Meta:
        verbose_name = "preview link"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of post {self.post_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A line in a user's notification list (sent by email too)."""

    class Kind(models.TextChoices):
        REVIEW_REQUESTED = "review_requested", "Waiting for your review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        NEEDS_NEW_TIME = "needs_new_time", "Approved after its time"
        REMINDER = "reminder", "Still in review"
        MENTION = "mention", "Mentioned in a comment"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="postdeck_notifications",
    )
    post = models.ForeignKey(
        "cms.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField("kind", max_length=20, choices=Kind.choices)
    message = models.CharField("message", max_length=300)
    created_at = models.DateTimeField("at", auto_now_add=True)
    read_at = models.DateTimeField("read at", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class NotificationSetting(models.Model):
    """How a user wants review notifications by email: each one as it happens
    (the default, no row needed), one daily digest of the unread ones, or
    none (the admin's list still has them all)."""

    class Email(models.TextChoices):
        EACH = "each", "Each one as it happens"
        DAILY = "daily", "One daily digest"
        OFF = "off", "No emails"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="postdeck_notification_setting",
    )
    email = models.CharField(
        "email me", max_length=10, choices=Email.choices, default=Email.EACH
    )
    digest_sent_at = models.DateTimeField(
        "last digest sent at",
        null=True,
        blank=True,
        help_text="A digest lists the unread notifications since the last one.",
    )

    class Meta:
        verbose_name = "notification setting"

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"
