"""TikTokAccount: a creator's account connected by OAuth, with its encrypted tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tiktok_integration.encryption import EncryptedTextField


class TikTokAccount(models.Model):
    """A creator's TikTok account connected to a workspace by OAuth."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        REAUTH_REQUIRED = "reauth_required", "Reconnect needed"
        DISCONNECTED = "disconnected", "Disconnected"

    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        related_name="tiktok_accounts",
        verbose_name="workspace",
        help_text="The brand or client that publishes through this account.",
    )
    open_id = models.CharField(
        "open id",
        max_length=128,
        unique=True,
        help_text="TikTok's id for this user within our app.",
    )
    union_id = models.CharField("union id", max_length=128, blank=True)
    username = models.CharField(
        "username", max_length=100, blank=True, help_text="@handle on TikTok."
    )
    display_name = models.CharField("display name", max_length=200, blank=True)
    avatar_url = models.URLField("avatar URL", max_length=1000, blank=True)
    is_verified = models.BooleanField("verified", default=False)
    follower_count = models.PositiveBigIntegerField("followers", null=True, blank=True)
    following_count = models.PositiveBigIntegerField("following", null=True, blank=True)
    likes_count = models.PositiveBigIntegerField("likes", null=True, blank=True)
    video_count = models.PositiveBigIntegerField("videos", null=True, blank=True)

    status = models.CharField(
        "connection",
        max_length=20,
        choices=Status.choices,
        default=Status.ACTIVE,
        help_text="Whether Postdeck can currently publish with this account.",
    )
    status_reason = models.CharField(
        "connection note",
        max_length=300,
        blank=True,
        help_text="Why the account needs reconnecting, in words.",
    )
    access_token = EncryptedTextField("access token")
    refresh_token = EncryptedTextField("refresh token")
    access_token_expires_at = models.DateTimeField(
        "access token expires at", null=True, blank=True
    )
    refresh_token_expires_at = models.DateTimeField(
        "refresh token expires at", null=True, blank=True
    )
    granted_scopes = models.JSONField(
        "granted scopes",
        default=list,
        blank=True,
        help_text="Scopes the creator granted at the last connect.",
    )
    refresh_lease_until = models.DateTimeField(
        "refresh lease until",
        null=True,
        blank=True,
        help_text="Set while one worker refreshes the tokens; others wait for it.",
    )
    token_version = models.PositiveIntegerField(
        "token version",
        default=0,
        help_text="Bumped on every refresh; shows refreshes were serialised.",
    )
    creator_info = models.JSONField(
        "creator info",
        default=dict,
        blank=True,
        help_text="Latest creator_info answer (privacy options, limits).",
    )
    creator_info_fetched_at = models.DateTimeField(
        "creator info fetched at", null=True, blank=True
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="connected by",
    )
    connected_at = models.DateTimeField("connected at", null=True, blank=True)
    last_refreshed_at = models.DateTimeField("last refreshed at", null=True, blank=True)
    refresh_sent_at = models.DateTimeField(
        "refresh sent at",
        null=True,
        blank=True,
        help_text="When beat's sweep last sent this account a refresh message.",
    )
    reauth_required_at = models.DateTimeField(
        "reconnect needed since", null=True, blank=True
    )
    disconnected_at = models.DateTimeField("disconnected at", null=True, blank=True)
    refresh_reminder_sent_at = models.DateTimeField(
        "reconnect reminder sent at",
        null=True,
        blank=True,
        help_text="When staff were told the refresh token expires within 14 days.",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        verbose_name = "TikTok account"
        ordering = ["workspace", "username"]
        indexes = [
            models.Index(fields=["status", "access_token_expires_at"]),
            models.Index(fields=["workspace", "status"]),
        ]

    def __str__(self) -> str:
        return (
            f"@{self.username}" if self.username else self.display_name or self.open_id
        )
