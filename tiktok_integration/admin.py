from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timeuntil

from cms.admin.scoping import WorkspaceScopedAdmin
from tiktok_integration.models import PublishAttempt, PublishJob, TikTokAccount


def _expiry(moment: Any) -> str:
    if moment is None:
        return "—"
    if moment <= timezone.now():
        return "expired"
    return f"in {timeuntil(moment)}"


ACCOUNT_FIELDS = (
    "workspace",
    "username",
    "display_name",
    "open_id",
    "status",
    "status_reason",
    "access_expiry",
    "refresh_expiry",
    "granted_scopes",
    "is_verified",
    "follower_count",
    "video_count",
    "connected_by",
    "connected_at",
    "last_refreshed_at",
    "creator_info_fetched_at",
)
ATTEMPT_FIELDS = (
    "started_at",
    "endpoint",
    "http_status",
    "tiktok_code",
    "log_id",
    "duration_ms",
    "message",
)


@admin.register(TikTokAccount)
class TikTokAccountAdmin(WorkspaceScopedAdmin):
    list_display = [
        "__str__",
        "display_name",
        "workspace",
        "status",
        "access_expiry",
        "refresh_expiry",
        "job_count",
    ]
    list_filter = ["status", ("workspace", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["workspace"]
    search_fields = ["username", "display_name", "open_id"]
    search_help_text = "Search by @username, display name or open id."
    # Tokens are never listed here: EncryptedTextField is not editable, and the
    # admin shows only their expiry.
    fields = ACCOUNT_FIELDS
    readonly_fields = tuple(field for field in ACCOUNT_FIELDS if field != "workspace")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TikTokAccount]:
        return super().get_queryset(request).annotate(n_jobs=Count("publish_jobs"))

    @admin.display(description="Access token", ordering="access_token_expires_at")
    def access_expiry(self, obj: TikTokAccount) -> str:
        return _expiry(obj.access_token_expires_at)

    @admin.display(description="Refresh token", ordering="refresh_token_expires_at")
    def refresh_expiry(self, obj: TikTokAccount) -> str:
        return _expiry(obj.refresh_token_expires_at)

    @admin.display(description="Jobs", ordering="n_jobs")
    def job_count(self, obj: TikTokAccount) -> int:
        return obj.n_jobs  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts arrive through OAuth, never by typing tokens into a form.
        return False


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    ordering = ["-started_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


SYSTEM_FIELDS = [
    "status",
    "lease_owner",
    "lease_expires_at",
    "lease_version",
    "attempt_count",
    "next_action_at",
    "publish_id",
    "chunk_size",
    "total_chunks",
    "next_chunk",
    "bytes_confirmed",
    "last_tiktok_status",
    "fail_reason",
    "failure_message",
    "tiktok_post_ids",
    "public_url",
    "orphan_publish_ids",
    "media_sha256",
    "consent_snapshot",
    "init_requested_at",
    "final_chunk_sent_at",
    "claimed_at",
    "uploading_at",
    "processing_at",
    "sent_to_inbox_at",
    "published_at",
    "failed_at",
    "cancelled_at",
    "needs_review_at",
    "needs_confirmation_at",
    "paused_at",
    "created_at",
    "updated_at",
]


@admin.register(PublishJob)
class PublishJobAdmin(WorkspaceScopedAdmin):
    workspace_path = "post__workspace"
    list_display = [
        "post",
        "account",
        "status",
        "mode",
        "scheduled_at",
        "attempt_count",
        "updated_at",
    ]
    list_filter = [
        "status",
        "mode",
        ("account", admin.RelatedOnlyFieldListFilter),
        ("post__workspace", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["post", "account"]
    search_fields = ["post__title", "publish_id", "account__username"]
    search_help_text = "Search by post title, publish id or @username."
    date_hierarchy = "scheduled_at"
    autocomplete_fields = ["post", "account"]
    readonly_fields = SYSTEM_FIELDS
    inlines = [PublishAttemptInline]
    fieldsets = [
        (None, {"fields": ["post", "account", "scheduled_at", "status"]}),
        (
            "What is sent",
            {
                "fields": [
                    "mode",
                    "source",
                    "privacy_level",
                    ("allow_comment", "allow_duet", "allow_stitch"),
                    ("brand_organic", "brand_content", "is_aigc"),
                ]
            },
        ),
        (
            "Outcome",
            {
                "fields": [
                    "failure_message",
                    "fail_reason",
                    "last_tiktok_status",
                    "public_url",
                    "tiktok_post_ids",
                ]
            },
        ),
        (
            "Progress",
            {
                "classes": ["collapse"],
                "fields": [
                    field
                    for field in SYSTEM_FIELDS
                    if field
                    not in {
                        "status",
                        "failure_message",
                        "fail_reason",
                        "last_tiktok_status",
                        "public_url",
                        "tiktok_post_ids",
                    }
                ],
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Jobs are created by scheduling a post for an account, not by hand.
        return False


@admin.register(PublishAttempt)
class PublishAttemptAdmin(WorkspaceScopedAdmin):
    workspace_path = "account__workspace"
    list_display = [
        "started_at",
        "endpoint",
        "account",
        "job",
        "http_status",
        "tiktok_code",
        "log_id",
        "duration_ms",
    ]
    list_filter = ["endpoint", "tiktok_code"]
    list_select_related = ["account", "job", "job__post", "job__account"]
    search_fields = ["log_id", "job__publish_id"]
    search_help_text = "Search by TikTok log id or publish id."
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in PublishAttempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
