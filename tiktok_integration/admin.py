from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil

from cms.admin.scoping import WorkspaceScopedAdmin
from cms.selectors import workspace_list_for
from tiktok_integration.client import TikTokError
from tiktok_integration.models import PublishAttempt, PublishJob, TikTokAccount
from tiktok_integration.services.accounts import (
    tiktok_account_check_creator_info,
    tiktok_account_disconnect,
    tiktok_account_sync_profile,
)
from tiktok_integration.services.tokens import ReconnectRequiredError


def _expiry(moment: Any) -> str:
    if moment is None:
        return "—"
    if moment <= timezone.now():
        return "expired"
    return f"in {timeuntil(moment)}"


ACCOUNT_FIELDS = (
    "workspace",
    "health",
    "creator_card",
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
    "likes_count",
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
    change_list_template = "admin/tiktok_integration/tiktokaccount/change_list.html"
    change_form_template = "admin/tiktok_integration/tiktokaccount/change_form.html"
    list_display = [
        "__str__",
        "display_name",
        "workspace",
        "status",
        "access_expiry",
        "refresh_expiry",
        "posts_today",
        "last_published",
        "looks_unaudited",
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
        day_ago = timezone.now() - timedelta(hours=24)
        published = Q(publish_jobs__status=PublishJob.Status.PUBLISHED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_posts_today=Count(
                    "publish_jobs",
                    filter=published & Q(publish_jobs__published_at__gte=day_ago),
                ),
                last_published_at=Max("publish_jobs__published_at", filter=published),
            )
        )

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/recheck/",
                wrap(self.recheck_view),
                name="{}_{}_recheck".format(*info),
            ),
            path(
                "<path:object_id>/disconnect/",
                wrap(self.disconnect_view),
                name="{}_{}_disconnect".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "connect_workspaces": list(workspace_list_for(request.user)),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def _post_only_object(self, request: HttpRequest, object_id: str) -> TikTokAccount:
        if request.method != "POST":
            raise PermissionDenied("Use the button on the account page.")
        account = self.get_object(request, object_id)
        if account is None or not self.has_change_permission(request, account):
            raise Http404("No such TikTok account in your workspaces.")
        return account

    def recheck_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        account = self._post_only_object(request, object_id)
        try:
            snapshot = tiktok_account_check_creator_info(account_id=account.pk)
            tiktok_account_sync_profile(account_id=account.pk)
        except (TikTokError, ReconnectRequiredError) as error:
            message = getattr(error, "staff_message", None) or str(error)
            self.message_user(request, f"Could not re-check: {message}", messages.ERROR)
        else:
            if snapshot.get("can_post"):
                self.message_user(request, "TikTok says this account can post now.")
            else:
                self.message_user(
                    request,
                    f"TikTok says this account cannot post now: "
                    f"{snapshot.get('blocked_reason')}",
                    messages.WARNING,
                )
        return HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
        )

    def disconnect_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        account = self._post_only_object(request, object_id)
        self.message_user(request, tiktok_account_disconnect(account_id=account.pk))
        return HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
        )

    @admin.display(description="Access token", ordering="access_token_expires_at")
    def access_expiry(self, obj: TikTokAccount) -> str:
        return _expiry(obj.access_token_expires_at)

    @admin.display(description="Refresh token", ordering="refresh_token_expires_at")
    def refresh_expiry(self, obj: TikTokAccount) -> str:
        return _expiry(obj.refresh_token_expires_at)

    @admin.display(description="Posts in 24 h", ordering="n_posts_today")
    def posts_today(self, obj: TikTokAccount) -> str:
        count = getattr(obj, "n_posts_today", 0)
        return f"{count} / {settings.TIKTOK_DAILY_POST_CAP}"

    @admin.display(description="Last publish", ordering="last_published_at")
    def last_published(self, obj: TikTokAccount) -> str:
        moment = getattr(obj, "last_published_at", None)
        return f"{timesince(moment)} ago" if moment else "never"

    @admin.display(description="Unaudited app?", boolean=True)
    def looks_unaudited(self, obj: TikTokAccount) -> bool | None:
        options = obj.creator_info.get("privacy_level_options")
        if not options:
            return None
        return list(options) == ["SELF_ONLY"]

    @admin.display(description="Health")
    def health(self, obj: TikTokAccount) -> str:
        missing = [s for s in settings.TIKTOK_SCOPES if s not in obj.granted_scopes]
        lines = [f"Connection: {obj.get_status_display()}"]
        if obj.status_reason:
            lines.append(obj.status_reason)
        lines.append(f"Access token {_expiry(obj.access_token_expires_at)}")
        lines.append(
            f"Connection (refresh token) {_expiry(obj.refresh_token_expires_at)}"
        )
        if missing:
            lines.append("Not granted: " + ", ".join(missing))
        lines.append(f"Posts in the last 24 h: {self.posts_today(obj)}")
        lines.append(f"Last publish: {self.last_published(obj)}")
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    @admin.display(description="Creator info (from TikTok)")
    def creator_card(self, obj: TikTokAccount) -> str:
        info = obj.creator_info
        if not info:
            return "Not checked yet: use 'Re-check now'."
        unaudited = info.get("privacy_level_options") == ["SELF_ONLY"]
        return format_html(
            '<div class="creator-card">{}<strong>{}</strong> @{}<br>'
            "Can post now: {}{}<br>Who can view: {}<br>"
            "Comments {} · Duet {} · Stitch {}<br>Longest video: {}<br>{}</div>",
            format_html(
                '<img src="{}" alt="" width="48" height="48" '
                'style="border-radius:50%;vertical-align:middle;margin-right:8px">',
                info["avatar_url"],
            )
            if info.get("avatar_url")
            else "",
            info.get("nickname", ""),
            info.get("username", ""),
            "yes" if info.get("can_post") else "no",
            f" ({info.get('blocked_reason')})" if info.get("blocked_reason") else "",
            ", ".join(info.get("privacy_level_options", [])) or "—",
            "off" if info.get("comment_disabled") else "allowed",
            "off" if info.get("duet_disabled") else "allowed",
            "off" if info.get("stitch_disabled") else "allowed",
            f"{info.get('max_video_post_duration_sec')} s"
            if info.get("max_video_post_duration_sec")
            else "—",
            "This app looks unaudited: TikTok only offers 'Only me' (SELF_ONLY) and "
            "the account must be private."
            if unaudited
            else "",
        )

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
