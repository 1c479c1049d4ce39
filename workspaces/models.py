"""Workspaces (a brand or client) and who may work in them.

Every workspace-owned model elsewhere points here; this module imports no other
Postdeck app.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    """Refuse anything but an IANA time zone name such as ``"Europe/Berlin"``.

    Raises:
        ValidationError: ``value`` is not in ``zoneinfo.available_timezones()``.
    """
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
    require_two_factor = models.BooleanField(
        "require two-factor sign-in",
        default=False,
        help_text="Members must set up an authenticator app before they can use "
        "the admin (as POSTDECK_REQUIRE_2FA does for all staff). Only managers "
        "of the workspace and superusers can change this.",
    )

    class CapDeferral(models.TextChoices):
        """What happens to a post TikTok's posting caps would refuse (§6)."""

        RETRY = "retry", "Retry automatically when the cap frees up"
        WAIT_FOR_STAFF = "wait", "Wait for staff to pick a new time"

    cap_deferral_policy = models.CharField(
        "when TikTok's caps defer a post",
        max_length=10,
        choices=CapDeferral.choices,
        default=CapDeferral.RETRY,
        help_text="A post keeps its planned time either way; this chooses whether "
        "Postdeck tries again by itself or holds the post until staff reschedule it.",
    )

    class ApprovalPolicy(models.TextChoices):
        NONE = "none", "None: posts go out as scheduled"
        INTERNAL = "internal", "Internal: an approver must approve"
        INTERNAL_THEN_CLIENT = (
            "internal_then_client",
            "Internal, then client: an approver, then the client",
        )

    approval_policy = models.CharField(
        "approval before publishing",
        max_length=24,
        choices=ApprovalPolicy.choices,
        default=ApprovalPolicy.NONE,
        help_text="Who must approve a post before it may go out. Nothing is "
        "published unapproved while a policy applies.",
    )
    allow_link_reviews = models.BooleanField(
        "clients may review by link without an account",
        default=True,
        help_text="A preview link lets anyone holding it approve or request "
        "changes, giving their name. Off: only signed-in client reviewers can.",
    )
    review_reminder_hours = models.PositiveSmallIntegerField(
        "review reminder (hours before the post's time)",
        default=24,
        help_text="Reviewers are reminded once when a post is still in review "
        "this many hours before it is due.",
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
    """One user in one workspace, with a role (at most one membership per pair)."""

    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        EDITOR = "editor", "Editor"
        APPROVER = "approver", "Approver"
        # Sees only the workspace's posts waiting for the client's review.
        CLIENT_REVIEWER = "client_reviewer", "Client reviewer"

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
        help_text="Managers also receive account and failure notices by email; "
        "managers and approvers approve posts; client reviewers see only the "
        "posts waiting for their review.",
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
