"""The sandbox's control panel: superusers only, and only in sandbox mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import ngettext

from tiktok_sandbox.models import (
    SandboxCall,
    SandboxCreator,
    SandboxFault,
    SandboxPublish,
    SandboxSettings,
    SandboxToken,
    SandboxVideo,
    SandboxWebhookDelivery,
)
from tiktok_sandbox.services.defaults import (
    SETTINGS_PK,
    sandbox_creator_update,
    sandbox_settings_get,
    sandbox_settings_update,
)
from tiktok_sandbox.services.lifecycle import (
    sandbox_advance,
    sandbox_creator_post_draft,
    sandbox_creator_remove_authorization,
    sandbox_publish_advance,
)
from tiktok_sandbox.services.tokens import (
    sandbox_access_tokens_expire_all,
)
from tiktok_sandbox.services.uploads import sandbox_upload_url_expire
from tiktok_sandbox.services.webhooks import sandbox_webhook_redeliver


class SandboxModelAdmin(admin.ModelAdmin):
    """Hidden entirely unless sandbox mode is on and the user is a superuser."""

    def _is_allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(settings.TIKTOK_SANDBOX and user.is_active and user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_allowed(request)


class ReadOnlySandboxAdmin(SandboxModelAdmin):
    """Records the sandbox writes itself: viewable, not editable."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SandboxSettings)
class SandboxSettingsAdmin(SandboxModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        ("App review", {"fields": ["is_audited", "active_user_cap"]}),
        (
            "Login Kit",
            {
                "fields": [
                    "access_token_ttl",
                    "refresh_token_ttl",
                    "require_pkce",
                    "oauth_error_http_status",
                ]
            },
        ),
        (
            "Timing",
            {"fields": ["processing_delay_seconds", "moderation_delay_seconds"]},
        ),
        (
            "PULL_FROM_URL",
            {
                "fields": [
                    "verified_url_prefixes",
                    "is_own_media_url_verified",
                    "fetches_pulled_media",
                ]
            },
        ),
        ("Webhooks", {"fields": ["webhooks_enabled", "webhook_url"]}),
        ("Faults", {"classes": ["collapse"], "fields": ["hang_seconds"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One row: the list is the row.
        sandbox_settings_get()
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[SETTINGS_PK]
            )
        )

    def save_model(
        self, request: HttpRequest, obj: SandboxSettings, form: Any, change: bool
    ) -> None:
        sandbox_settings_update(
            **{name: form.cleaned_data[name] for name in form.changed_data}
        )


@admin.register(SandboxCreator)
class SandboxCreatorAdmin(SandboxModelAdmin):
    list_display = [
        "__str__",
        "nickname",
        "is_private_account",
        "is_comment_disabled",
        "max_video_post_duration_sec",
        "daily_post_cap",
        "is_banned_from_posting",
    ]
    list_filter = ["is_private_account", "is_banned_from_posting", "is_verified"]
    search_fields = ["username", "nickname", "open_id"]
    search_help_text = "Search by username, nickname or open id."
    readonly_fields = ["open_id", "union_id", "created_at"]
    fieldsets = [
        (
            None,
            {"fields": ["username", "nickname", "bio_description", "is_verified"]},
        ),
        (
            "What creator_info reports",
            {
                "fields": [
                    "is_private_account",
                    "privacy_level_options",
                    "is_comment_disabled",
                    "is_duet_disabled",
                    "is_stitch_disabled",
                    "max_video_post_duration_sec",
                ]
            },
        ),
        (
            "Limits and refusals",
            {
                "fields": [
                    "daily_post_cap",
                    "is_banned_from_posting",
                    "has_outdated_app",
                ]
            },
        ),
        (
            "Stats",
            {"fields": ["follower_count", "following_count", "likes_count"]},
        ),
        (
            "Ids",
            {"classes": ["collapse"], "fields": ["open_id", "union_id", "created_at"]},
        ),
    ]
    actions = ["expire_access_tokens", "remove_authorization"]

    def save_model(
        self, request: HttpRequest, obj: SandboxCreator, form: Any, change: bool
    ) -> None:
        sandbox_creator_update(creator=obj)

    @admin.action(description="Expire their access tokens now")
    def expire_access_tokens(
        self, request: HttpRequest, queryset: QuerySet[SandboxCreator]
    ) -> None:
        count = sum(
            sandbox_access_tokens_expire_all(creator=creator) for creator in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d access token expired.",
                "%(count)d access tokens expired.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description="Disconnect the app (sends authorization.removed)")
    def remove_authorization(
        self, request: HttpRequest, queryset: QuerySet[SandboxCreator]
    ) -> None:
        for creator in queryset:
            sandbox_creator_remove_authorization(creator=creator, reason=1)
        self.message_user(
            request,
            ngettext(
                "%(count)d creator disconnected the app.",
                "%(count)d creators disconnected the app.",
                queryset.count(),
            )
            % {"count": queryset.count()},
        )


@admin.register(SandboxFault)
class SandboxFaultAdmin(SandboxModelAdmin):
    list_display = [
        "__str__",
        "endpoint",
        "creator",
        "chunk_number",
        "action",
        "http_status",
        "error_code",
        "fail_reason",
        "remaining",
        "times_fired",
    ]
    list_filter = ["endpoint", "action"]
    list_select_related = ["creator"]
    search_fields = ["error_code", "fail_reason"]
    search_help_text = "Search by error code or fail reason."
    readonly_fields = ["times_fired", "created_at"]
    fieldsets = [
        ("Which calls", {"fields": ["endpoint", "creator", "chunk_number"]}),
        (
            "What happens",
            {
                "fields": [
                    "action",
                    "http_status",
                    "error_code",
                    "error_message",
                    "retry_after_seconds",
                    "delay_seconds",
                    "fail_reason",
                ]
            },
        ),
        (
            "How often",
            {"fields": ["remaining", "active_until", "times_fired", "created_at"]},
        ),
    ]


@admin.register(SandboxPublish)
class SandboxPublishAdmin(ReadOnlySandboxAdmin):
    list_display = [
        "publish_id",
        "creator",
        "flow",
        "media_type",
        "source",
        "status",
        "fail_reason",
        "progress",
        "created_at",
    ]
    list_filter = ["status", "flow", "media_type", "source"]
    list_select_related = ["creator"]
    search_fields = ["publish_id", "creator__username"]
    search_help_text = "Search by publish id or creator username."
    date_hierarchy = "created_at"
    actions = ["post_draft", "expire_upload_url", "advance_now"]
    exclude = ["upload_token_hash"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [
            field.name
            for field in self.model._meta.concrete_fields
            if field.name != "upload_token_hash"
        ] + ["post_ids"]

    @admin.display(description="received")
    def progress(self, obj: SandboxPublish) -> str:
        if obj.video_size:
            return f"{obj.bytes_received:,} / {obj.video_size:,} bytes"
        return f"{obj.downloaded_bytes:,} bytes downloaded"

    @admin.display(description="public post ids")
    def post_ids(self, obj: SandboxPublish) -> str:
        ids = obj.videos.filter(publicly_available_at__isnull=False).values_list(
            "video_id", flat=True
        )
        return ", ".join(ids) or "—"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Actions need change permission; the form itself is all read-only.
        return self._is_allowed(request)

    @admin.action(description="Creator posts the draft (inbox flows)")
    def post_draft(
        self, request: HttpRequest, queryset: QuerySet[SandboxPublish]
    ) -> None:
        posted = 0
        for publish in queryset:
            try:
                sandbox_creator_post_draft(publish=publish)
            except ValueError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                posted += 1
        self.message_user(
            request,
            ngettext("%(count)d draft posted.", "%(count)d drafts posted.", posted)
            % {"count": posted},
        )

    @admin.action(description="Expire the upload URL now")
    def expire_upload_url(
        self, request: HttpRequest, queryset: QuerySet[SandboxPublish]
    ) -> None:
        for publish in queryset:
            sandbox_upload_url_expire(publish=publish)
        self.message_user(request, "Upload URLs expired.")

    @admin.action(description="Advance now (processing, moderation, webhooks)")
    def advance_now(
        self, request: HttpRequest, queryset: QuerySet[SandboxPublish]
    ) -> None:
        for publish in queryset:
            sandbox_publish_advance(publish=publish)
        report = sandbox_advance()
        self.message_user(
            request, f"Advanced; {report.webhooks_delivered} webhooks delivered."
        )


@admin.register(SandboxVideo)
class SandboxVideoAdmin(SandboxModelAdmin):
    list_display = ["video_id", "creator", "title", "privacy_level", "posted_at"]
    list_filter = ["privacy_level"]
    list_select_related = ["creator"]
    search_fields = ["video_id", "title", "creator__username"]
    search_help_text = "Search by video id, title or creator username."
    date_hierarchy = "posted_at"
    readonly_fields = ["publish"]
    fields = [
        "video_id",
        "creator",
        "publish",
        "title",
        "video_description",
        "privacy_level",
        "duration",
        "width",
        "height",
        "posted_at",
        "moderation_due_at",
        "publicly_available_at",
    ]


@admin.register(SandboxToken)
class SandboxTokenAdmin(ReadOnlySandboxAdmin):
    list_display = [
        "__str__",
        "kind",
        "creator",
        "issued_at",
        "expires_at",
        "rotated_at",
        "revoked_at",
    ]
    list_filter = ["kind"]
    list_select_related = ["creator"]
    search_fields = ["creator__username", "token_hash"]
    search_help_text = "Search by creator username or token hash."
    readonly_fields = [
        "kind",
        "token_hash",
        "creator",
        "grant_id",
        "scopes",
        "issued_at",
        "expires_at",
        "rotated_at",
        "revoked_at",
    ]


@admin.register(SandboxCall)
class SandboxCallAdmin(ReadOnlySandboxAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "http_status",
        "error_code",
        "creator",
        "publish_id",
        "chunk_number",
        "byte_count",
        "is_dropped",
        "fault",
    ]
    list_filter = ["endpoint", "http_status", "is_dropped"]
    list_select_related = ["creator", "fault"]
    search_fields = ["publish_id", "log_id", "error_code"]
    search_help_text = "Search by publish id, log id or error code."
    date_hierarchy = "created_at"
    readonly_fields = [
        "endpoint",
        "method",
        "token_hash_prefix",
        "creator",
        "http_status",
        "error_code",
        "publish_id",
        "chunk_number",
        "byte_count",
        "fault",
        "is_dropped",
        "log_id",
        "created_at",
    ]
    exclude = ["token"]


@admin.register(SandboxWebhookDelivery)
class SandboxWebhookDeliveryAdmin(ReadOnlySandboxAdmin):
    list_display = [
        "event",
        "creator",
        "publish",
        "created_at",
        "attempt_count",
        "last_http_status",
        "delivered_at",
        "abandoned_at",
    ]
    list_filter = ["event"]
    list_select_related = ["creator", "publish"]
    search_fields = ["dedupe_key", "publish__publish_id"]
    search_help_text = "Search by event key or publish id."
    date_hierarchy = "created_at"
    readonly_fields = [
        "event",
        "dedupe_key",
        "creator",
        "publish",
        "body",
        "created_at",
        "next_attempt_at",
        "attempt_count",
        "last_http_status",
        "last_error",
        "delivered_at",
        "abandoned_at",
    ]
    actions = ["send_again"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_allowed(request)

    @admin.action(description="Send again (a duplicate, as TikTok may)")
    def send_again(
        self, request: HttpRequest, queryset: QuerySet[SandboxWebhookDelivery]
    ) -> None:
        sent = sum(
            sandbox_webhook_redeliver(delivery=delivery) for delivery in queryset
        )
        self.message_user(request, f"{sent} of {queryset.count()} answered 2xx.")
